import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ErrorBoundary } from './app/ErrorBoundary';
import { installTestHook } from './app/testHook';
import { createServices } from './services/services';
import './app/styles.css';

const services = createServices({
  search: location.search,
  href: location.href,
  base: import.meta.env.BASE_URL,
  storage: localStorage,
  reload: () => location.reload(),
});
// Tests and benchmarks read what the canvas shows through window.__smearcount: installed in
// development and under automation (navigator.webdriver: Playwright), never for a technician.
if (import.meta.env.DEV || navigator.webdriver) installTestHook(services);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary>
      <App services={services} />
    </ErrorBoundary>
  </StrictMode>,
);
