import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';

/** A phone's overflow menu for the tools used less often than Draw, Delete and Undo: one button that
 * opens them in a panel under the toolbar, so the toolbar is one row that never scrolls sideways.
 * A tap elsewhere closes it; a tool used inside leaves it open (a checkbox is often toggled twice).
 * By keyboard (a 1280 px laptop at 200% zoom is 640 px wide and gets this toolbar): Tab past its last
 * tool closes it, as a tap elsewhere does (it stayed open over the canvas), and Esc inside gives the
 * focus back to More (it stayed on a tool the closed panel hid, and the next Tab started from nowhere). */
export function ToolbarMore({ children, show = false, onClose }: { children: ReactNode; show?: boolean; onClose?(): void }) {
  const [openHere, setOpenState] = useState(false);
  // `show`: something inside is asked for from outside (the key sheet by ?, which was opened hidden in
  // the closed panel and nothing showed); `onClose`: the panel closed, so what it shows is closed too
  const setOpen = useCallback(
    (v: boolean) => {
      setOpenState(v);
      if (!v) onClose?.();
    },
    [onClose],
  );
  const open = openHere || show;
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (root.current?.contains(document.activeElement)) button.current?.focus();
      setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    window.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      window.removeEventListener('keydown', esc);
    };
  }, [open, setOpen]);
  return (
    <div
      className="toolbar-more"
      ref={root}
      onBlur={(e) => {
        // the focus gone to another control of the page; null is a tap on nothing (the pointerdown decides)
        if (e.relatedTarget && !root.current?.contains(e.relatedTarget)) setOpen(false);
      }}
    >
      <button ref={button} aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)} data-testid="toolbar-more" title="More tools: fit, gallery, classes shown, redo, reviewed">
        More
      </button>
      <div id={id} className="toolbar-more-panel" role="group" aria-label="More tools" hidden={!open} data-testid="toolbar-more-panel">
        {children}
      </div>
    </div>
  );
}
