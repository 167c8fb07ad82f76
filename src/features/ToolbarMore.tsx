import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/** A phone's overflow menu for the tools used less often than Draw, Delete and Undo: one button that
 * opens them in a panel under the toolbar, so the toolbar is one row that never scrolls sideways.
 * A tap elsewhere closes it; a tool used inside leaves it open (a checkbox is often toggled twice). */
export function ToolbarMore({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', away);
    window.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      window.removeEventListener('keydown', esc);
    };
  }, [open]);
  return (
    <div className="toolbar-more" ref={root}>
      <button aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)} data-testid="toolbar-more" title="More tools: fit, gallery, classes shown, redo, reviewed">
        More
      </button>
      <div id={id} className="toolbar-more-panel" role="group" aria-label="More tools" hidden={!open} data-testid="toolbar-more-panel">
        {children}
      </div>
    </div>
  );
}
