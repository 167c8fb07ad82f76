import { Component, type ReactNode } from 'react';
import { errorMessage } from '../core/errors';

/** The page shown when the app cannot go on: what went wrong, in the error's own sentence, and a way out. */
export function FatalError({ error }: { error: unknown }) {
  return (
    <div className="fatal" role="alert" data-testid="status" data-state="error">
      <h1>Something went wrong</h1>
      <p>{errorMessage(error)}</p>
      <button onClick={() => location.reload()}>Reload</button>
    </div>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    return this.state.error ? <FatalError error={this.state.error} /> : this.props.children;
  }
}
