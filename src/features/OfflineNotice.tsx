import { useEffect, useState } from 'react';

/** Service-worker lifecycle as the technician sees it: "ready offline" once everything is
 * precached, and an explicit reload prompt when a new version is waiting. */
export function OfflineNotice() {
  const [offlineReady, setOfflineReady] = useState(false);
  const [update, setUpdate] = useState<null | (() => void)>(null);
  useEffect(() => {
    if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
    let live = true;
    import('virtual:pwa-register').then(({ registerSW }) => {
      const reload = registerSW({
        immediate: true,
        onOfflineReady: () => live && setOfflineReady(true),
        onNeedRefresh: () => live && setUpdate(() => () => reload(true)),
      });
    });
    navigator.serviceWorker.ready.then(() => live && navigator.serviceWorker.controller && setOfflineReady(true));
    return () => {
      live = false;
    };
  }, []);
  if (update)
    return (
      <span className="notice update" data-testid="update-available">
        Update available <button onClick={update}>Reload</button>
      </span>
    );
  return offlineReady ? (
    <span className="notice" data-testid="offline-ready" title="The app, the detection engine and the model are stored on this device">
      {/* short enough for a phone's one-line header ("Ready to work o…" was cut there) */}
      Works offline
    </span>
  ) : null;
}
