import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useApp, useServices } from '../services/context';

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
  return offlineReady ? (
    <span className="notice" data-testid="offline-ready" title="The app, the detection engine and the model are stored on this device">
      {/* short enough for a phone's one-line header ("Ready to work o…" was cut there) */}
      Works offline
    </span>
  ) : null;
}
