import { useCallback, useEffect, useRef, useState, type ChangeEvent, type DragEvent } from 'react';
import { useApp, useServices } from '../services/context';
import { AppError, errorMessage } from '../core/errors';
import { filesFromDataTransfer } from '../services/droppedFiles';
import { useInputMode } from './useInputMode';

/** Whether a paste there goes into text the technician is typing (an input, a text area, an editable element). */
function isTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLTextAreaElement || t.isContentEditable) return true;
  return t instanceof HTMLInputElement && !['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit'].includes(t.type);
}

export function DropZone() {
  const { runner, camera: live, store } = useServices();
  // a dropped folder's entries the system would not hand over are named, as any refused file; the rest is taken
  const take = useCallback(
    async (dt: DataTransfer) => {
      const { files, unreadable } = await filesFromDataTransfer(dt);
      const st = store.getState();
      for (const u of unreadable) {
        const message = errorMessage(new AppError(u.folder ? 'unreadable-folder' : 'unreadable', u.why));
        st.addFileError(u.name, message);
        st.refuseFile(u.name, message);
      }
      if (files.length) void runner.addFiles(files);
    },
    [runner, store],
  );
  const [over, setOver] = useState(false);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const empty = useApp((s) => s.order.length === 0);
  const touch = useInputMode() === 'touch';

  const onDrop = useCallback((e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void take(e.dataTransfer);
  }, [take]);

  // The whole window takes drops (a file dropped anywhere else would open in the browser instead),
  // with an overlay while files are dragged over it.
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: globalThis.DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: globalThis.DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const overWin = (e: globalThis.DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: globalThis.DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!e.dataTransfer || e.defaultPrevented) return;
      e.preventDefault();
      void take(e.dataTransfer);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overWin);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overWin);
      window.removeEventListener('drop', drop);
    };
  }, [take]);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      // Pasted into a text field, it is text: Excel and Word put a picture of the copied cells beside the text,
      // which was taken into the batch as a field to count while the field stayed empty
      if (isTextField(e.target)) return;
      const files = Array.from(e.clipboardData?.files ?? []);
      if (files.length) {
        e.preventDefault();
        // Pasted screenshots are all called image.png: give them distinct names.
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        void runner.addFiles(files.map((f, i) => new File([f], f.name === 'image.png' ? `pasted-${stamp}-${i}.png` : f.name, { type: f.type })));
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [runner]);

  const add = (e: ChangeEvent<HTMLInputElement>) => {
    // A chosen folder lists its files in no useful order: take them as a dropped folder is taken.
    const files = Array.from(e.target.files ?? []).sort((a, b) =>
      (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name, undefined, { numeric: true }),
    );
    e.target.value = '';
    void runner.addFiles(files);
  };
  // HEIC is left out on purpose: iOS then hands the picked photo over as JPEG
  const accept = 'image/jpeg,image/png,image/webp,image/bmp,image/gif,image/avif,.xml,.tif,.tiff';
  return (
    <div
      className={`dropzone${over ? ' over' : ''}${empty ? ' empty' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden>
          Drop to count: images stay on this device
        </div>
      )}
      <div className="add-buttons">
        <button className="add-images" data-testid="choose-files" onClick={() => input.current?.click()}>
          Add images
        </button>
        {/* capture opens the camera directly (phones photographing through the eyepiece); the
            button above still offers the gallery and files. */}
        {touch ? (
          <button className="take-photo" data-testid="take-photo" onClick={() => camera.current?.click()}>
            Camera
          </button>
        ) : (
          <button className="add-folder" data-testid="choose-folder" onClick={() => folder.current?.click()}>
            Folder
          </button>
        )}
        {/* live mode: the camera counts field after field (services/live.ts) */}
        <button className="live-start" data-testid="live-start" onClick={() => void live.start()} title="Count live at the eyepiece: each still, sharp field is captured once">
          Live
        </button>
      </div>
      <span className="drop-hint">
        {/* once images are in, a phone has one line for it (the rest was cut off): the promise stays */}
        {touch
          ? empty
            ? "Images stay on this device · photograph a field, or pick photos from the phone's own photo library"
            : 'Images stay on this device'
          : `or drop images or folders here · paste with Ctrl+V${empty ? ' · Live counts field after field from a camera' : ''}`}
      </span>
      {/* a tooltip never shows on a touch screen: what Camera and Live do is said once, on the first screen */}
      {empty && (
        <span className="muted" data-testid="live-explained">
          {touch ? 'Camera takes one photo. ' : ''}Live counts at the eyepiece: hold a phone or camera to it, and each still, sharp field is captured once.
        </span>
      )}
      {empty && <span className="muted">JPEG, PNG, TIFF, WebP, BMP, AVIF · VOC .xml to compare with ground truth</span>}
      <input ref={input} id="add-images-input" data-testid="file-input" type="file" multiple accept={accept} hidden onChange={add} />
      <input ref={camera} data-testid="camera-input" type="file" accept="image/*" capture="environment" hidden onChange={add} />
      <input ref={folder} data-testid="folder-input" type="file" multiple hidden onChange={add} {...{ webkitdirectory: '' }} />
    </div>
  );
}
