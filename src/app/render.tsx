/**
 * The app's screens, rendered once main.tsx has started the services (and with them the detector's
 * worker): React, Konva and every screen are this chunk, parsed while the worker starts.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ErrorBoundary, FatalError } from './ErrorBoundary';
import Konva from 'konva';
import { provideKonva } from './testHook';
import type { Services } from '../services/services';
// after App's imports, as main.tsx had it: the app's own rules come last in the cascade and win ties with the
// components' stylesheets (imported first, in the index chunk, they lost them: the toolbar's More menu at 320 px)
import './styles.css';

export function render(el: HTMLElement, services: Services | undefined, fatal: unknown) {
  const root = createRoot(el);
  if (!services) {
    root.render(<FatalError error={fatal} />);
    return;
  }
  // the test hook (installed by main.tsx) reads the canvas's Konva stages
  if (import.meta.env.DEV || navigator.webdriver) provideKonva(Konva);
  root.render(
    <StrictMode>
      <ErrorBoundary>
        <App services={services} />
      </ErrorBoundary>
    </StrictMode>,
  );
}
