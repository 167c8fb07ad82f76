import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorBoundary, FatalError } from './app/ErrorBoundary';
import { installTestHook } from './app/testHook';
import { createServices, type Services } from './services/services';
import './app/styles.css';

const root = createRoot(document.getElementById('root')!);
let services: Services | undefined;
try {
  // Parses the model cards: a damaged card must show its sentence, not a blank page, and this runs
  // before any React tree (and so before the error boundary) exists.
  services = createServices({
    search: location.search,
    href: location.href,
    base: import.meta.env.BASE_URL,
    storage: localStorage,
    reload: () => location.reload(),
  });
} catch (e) {
  root.render(<FatalError error={e} />);
}
if (services) {
  // Load the model at start, before React's first render (40-70 ms earlier on a repeat visit; README,
  // issue 24): the detector worker's module, ORT's WebAssembly and the models then load while the app
  // renders, and the first drop does not wait for them.
  services.loadDetector().catch(() => undefined);
  // Tests and benchmarks read what the canvas shows through window.__smearcount: installed in
  // development and under automation (navigator.webdriver: Playwright), never for a technician.
  if (import.meta.env.DEV || navigator.webdriver) installTestHook(services);
  root.render(
    <StrictMode>
      <ErrorBoundary>
        <App services={services} />
      </ErrorBoundary>
    </StrictMode>,
  );
}
