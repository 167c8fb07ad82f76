import { useEffect } from 'react';
import { useStore } from 'zustand';
import { BatchProgress } from '../features/BatchProgress';
import { CountsBar } from '../features/CountsBar';
import { CountsPanel } from '../features/CountsPanel';
import { DifferentialPanel } from '../features/DifferentialPanel';
import { DropZone } from '../features/DropZone';
import { Notices } from '../features/Notices';
import { ImageCanvas } from '../features/ImageCanvas';
import { StatusBar } from '../features/StatusBar';
import { ThresholdSliders } from '../features/ThresholdSliders';
import { Thumbnails } from '../features/Thumbnails';
import { ReviewBar } from '../features/ReviewBar';
import { Toolbar } from '../features/Toolbar';
import { handleKey } from '../features/actions';
import { ExportMenu } from '../features/ExportMenu';
import { OfflineNotice } from '../features/OfflineNotice';
import { PrintReport } from '../features/PrintReport';
import { Gallery } from '../features/gallery/Gallery';
import { SamplePanel } from '../features/sample/SamplePanel';
import { ProfilePanel } from '../features/profile/ProfilePanel';
import { LiveView } from '../features/live/LiveView';
import { WindowOwner } from '../features/WindowOwner';
import { ServicesContext } from '../services/context';
import type { Services } from '../services/services';
import { mayEdit } from '../services/windowLock';

/** The shell: provides the services to the features and lays them out. */
export function App({ services }: { services: Services }) {
  useEffect(() => {
    // The model started loading in main.tsx, before this first render.
    void services.startSession();
    // a window that does not own the batch changes nothing, by key either (windowLock.ts)
    const onKey = (e: KeyboardEvent) => mayEdit(services.windowLock.role) && handleKey(services, e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [services]);
  const role = useStore(services.windowLock.state, (s) => s.role);
  // Another window owns the batch: the batch's panes take no input (the header stays: an update's Reload)
  const readOnly = !mayEdit(role) && role !== 'starting';
  return (
    <ServicesContext.Provider value={services}>
      <WindowOwner />
      <div className={readOnly ? 'app read-only' : 'app'}>
        <header>
          <h1>Smearcount</h1>
          <span className="privacy" title="Detection runs in this browser tab. No image or result is sent anywhere.">
            Images stay on this device
          </span>
          <OfflineNotice />
          <StatusBar />
        </header>
        <aside className="left" aria-label="Images" inert={readOnly}>
          <DropZone />
          <BatchProgress />
          <Notices />
          <Thumbnails />
        </aside>
        <main inert={readOnly}>
          <CountsBar />
          <Toolbar />
          <ReviewBar />
          <ImageCanvas />
        </main>
        {/* the results first: at 1920x1080 the Sample form above them pushed the differential's table under the
            screen's edge, and it is what the technician reads at every image; the record is filled once a sample */}
        <aside className="right" aria-label="Results and settings" inert={readOnly}>
          <CountsPanel />
          <DifferentialPanel />
          <SamplePanel />
          <ThresholdSliders />
          <ProfilePanel />
          <ExportMenu />
        </aside>
        <PrintReport />
        <Gallery />
        <LiveView />
      </div>
    </ServicesContext.Provider>
  );
}
