import { useEffect } from 'react';
import { BatchProgress } from '../features/BatchProgress';
import { CountsPanel } from '../features/CountsPanel';
import { DropZone } from '../features/DropZone';
import { FileErrors } from '../features/FileErrors';
import { ImageCanvas } from '../features/ImageCanvas';
import { StatusBar } from '../features/StatusBar';
import { ThresholdSliders } from '../features/ThresholdSliders';
import { Thumbnails } from '../features/Thumbnails';
import { Toolbar } from '../features/Toolbar';
import { handleKey } from '../features/actions';
import { ExportMenu } from '../features/ExportMenu';
import { OfflineNotice } from '../features/OfflineNotice';
import { PrintReport } from '../features/PrintReport';
import { loadDetector, startSession } from './instance';

export function App() {
  useEffect(() => {
    // Load the model at start: the first drop should not wait for a download.
    loadDetector().catch(() => undefined);
    void startSession();
    window.addEventListener('keydown', handleKey);
    return () => window.removeEventListener('keydown', handleKey);
  }, []);
  return (
    <div className="app">
      <header>
        <h1>Smearcount</h1>
        <span className="privacy" title="Detection runs in this browser tab. No image or result is sent anywhere.">
          Images stay on this device
        </span>
        <OfflineNotice />
        <StatusBar />
      </header>
      <aside className="left">
        <DropZone />
        <BatchProgress />
        <FileErrors />
        <Thumbnails />
      </aside>
      <main>
        <Toolbar />
        <ImageCanvas />
      </main>
      <aside className="right">
        <CountsPanel />
        <ThresholdSliders />
        <ExportMenu />
      </aside>
      <PrintReport />
    </div>
  );
}
