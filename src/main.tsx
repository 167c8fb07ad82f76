import { createServices, type Services } from './services/services';
import { installTestHook } from './app/testHook';

// The detector's worker starts before React, Konva and the app's screens are even parsed: they come in a
// chunk of their own (app/render.tsx), read while the worker loads ORT's WebAssembly and the models on the
// other core (a repeat visit's "page until the worker's init", README, issue 24).
let services: Services | undefined;
let fatal: unknown;
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
  fatal = e;
}
// Load the model at start, before React's first render: the detector worker's module, ORT's WebAssembly
// and the models then load while the app renders, and the first drop does not wait for them.
services?.loadDetector().catch(() => undefined);
// Tests and benchmarks read what the canvas shows through window.__smearcount: installed in development and
// under automation (navigator.webdriver: Playwright), never for a technician; before the screens' chunk, so
// that a test can read the batch as soon as the page runs (as it could with one chunk).
if (services && (import.meta.env.DEV || navigator.webdriver)) installTestHook(services);
void import('./app/render').then(({ render }) => render(document.getElementById('root')!, services, fatal));
