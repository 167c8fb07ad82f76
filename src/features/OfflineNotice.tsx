import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useApp, useServices } from '../services/context';
import { TapHint } from './TapHint';

/** Where an update stands in this window: a new version waiting for this window's Reload, or one that
 * another window of the app put in place while this one still runs the old version. */
type Update = null | 'waiting' | 'elsewhere';

/** Service-worker lifecycle as the technician sees it: "ready offline" once everything is precached, and
 * an explicit Reload when a new version is waiting. The Reload waits for the batch being counted (and a
 * camera run): the images are then all counted by one version's model, and none is cut off mid-count. */
export function OfflineNotice() {
  const { live } = useServices();
  const counting = useApp((s) => s.run !== null || s.order.some((id) => s.images[id].status === 'queued' || s.images[id].status === 'running'));
  const cameraOpen = useStore(live, (l) => l.open);
  const [offlineReady, setOfflineReady] = useState(false);
  const [update, setUpdate] = useState<Update>(null);
  const [installFailed, setInstallFailed] = useState(false);
  /** Whether the browser keeps this origin's storage (the saved batch, the profile) when the disk runs short. */
  const [persisted, setPersisted] = useState<boolean | null>(null);
  /** Set once this window asked for the update: only then does a new worker's taking over reload it. */
  const asked = useRef(false);
  useEffect(() => {
    if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
    let live = true;
    const sw = navigator.serviceWorker;
    const hadController = Boolean(sw.controller);
    import('virtual:pwa-register').then(({ registerSW }) => {
      registerSW({
        immediate: true,
        onOfflineReady: () => live && setOfflineReady(true),
        onNeedRefresh: () => live && setUpdate((u) => u ?? 'waiting'),
        // The plugin's own reload ran in every window a worker controlled when it opened, asked or not, and
        // never in the window of the first visit (no controller then): each window decides for itself below.
        onNeedReload: () => undefined,
        onRegisteredSW: (_url, reg) => reg && watchInstall(reg, () => live && setInstallFailed(true)),
        onRegisterError: () => live && setInstallFailed(true),
      });
    });
    sw.ready.then(() => live && sw.controller && setOfflineReady(true));
    // Another window applied an update: this one runs the old version under the new worker (whose cache no
    // longer holds the old version's files), and says so rather than reload under the technician.
    const onControllerChange = () => live && !asked.current && hadController && setUpdate('elsewhere');
    sw.addEventListener('controllerchange', onControllerChange);
    return () => {
      live = false;
      sw.removeEventListener('controllerchange', onControllerChange);
    };
  }, []);

  // Without asking, the saved batch and the microscope profile are 'best effort': the browser may clear them
  // under storage pressure without a word. Chromium grants the ask to an installed app.
  useEffect(() => {
    if (!offlineReady || !navigator.storage?.persist) return;
    let live = true;
    navigator.storage.persist().then(
      (p) => live && setPersisted(p),
      () => live && setPersisted(false),
    );
    return () => {
      live = false;
    };
  }, [offlineReady]);

  const apply = async () => {
    asked.current = true;
    const reg = await navigator.serviceWorker.getRegistration();
    const waiting = reg?.waiting;
    if (!waiting) return location.reload();
    // Reload once the new worker is active: a page with no controller (the first visit's) gets no
    // controllerchange, so the worker's own state is watched.
    waiting.addEventListener('statechange', () => {
      if (waiting.state === 'activated' || waiting.state === 'redundant') location.reload();
    });
    waiting.postMessage({ type: 'SKIP_WAITING' });
  };

  if (update) {
    const busy = counting || cameraOpen;
    const kept = 'The batch, its report and the microscope profile are kept; images already counted stay named with the model that counted them.';
    return (
      <span className="notice update" data-testid="update-available" title={kept}>
        {update === 'elsewhere' ? 'Updated in another window' : 'Update available'}{' '}
        <button onClick={() => void (update === 'elsewhere' ? location.reload() : apply())} disabled={busy} aria-describedby="update-kept">
          Reload
        </button>
        <span id="update-kept" className="update-note">
          {busy ? (cameraOpen && !counting ? ' after the camera is closed' : ' after this count') : ' (batch kept)'}
        </span>
      </span>
    );
  }
  if (installFailed && !offlineReady)
    return (
      <TapHint className="notice failed" testId="offline-failed" tip="The browser could not store the app's files on this device (its storage full, or a file that failed to download). The app works while this device is online; reload the page online to try again.">
        Not stored for offline use
      </TapHint>
    );
  // what is kept and what the browser may clear: by a tap on a phone, where the header's words have no title to show
  return offlineReady ? (
    <TapHint
      className="notice"
      testId="offline-ready"
      data={{ 'data-persisted': persisted === null ? undefined : String(persisted) }}
      tip={
        'The app, the detection engine and the model are stored on this device.' +
        (persisted === false ? ' The browser may clear the saved batch when the disk runs short of space: install the app to keep it, and export a batch you need.' : '')
      }
    >
      {/* short enough for a phone's one-line header ("Ready to work o…" was cut there) */}
      Works offline
    </TapHint>
  ) : null;
}

/** Calls `failed` when the first installation of the service worker fails (a precached file that did not
 * download or failed its integrity check, storage full): nothing is stored, so the app would not start
 * offline, and without this the page said nothing at all. An update that fails leaves the version in place,
 * which still works offline: not reported. */
function watchInstall(reg: ServiceWorkerRegistration, failed: () => void) {
  const watch = (w: ServiceWorker | null) => {
    if (!w || reg.active) return;
    const check = () => w.state === 'redundant' && !reg.active && !reg.waiting && failed();
    w.addEventListener('statechange', check);
    check();
  };
  watch(reg.installing);
  reg.addEventListener('updatefound', () => watch(reg.installing));
}
