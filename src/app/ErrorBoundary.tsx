import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="fatal" role="alert" data-testid="status" data-state="error">
        <h1>Something went wrong</h1>
        <p>{this.state.error.message}</p>
        <button onClick={() => location.reload()}>Reload</button>
      </div>
    );
  }
}
