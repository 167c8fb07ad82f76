import { useEffect, useId, useState } from 'react';

/**
 * An explanation a keyboard and a screen reader reach, not only a mouse (a `title` is hover-only): a small
 * button, one Tab stop, whose description is the tip (aria-describedby), shown while it has focus or the
 * pointer, and on a tap. Esc hides it without moving focus (WCAG 1.4.13: dismissable), and is not taken
 * from the app's own Esc while the tip is hidden.
 *
 * `text`, the words the tip explains, is printed before the button, and its last word and the button never
 * part at a line break: on a phone the 44 px button (a finger's size) wrapped onto a line of its own, under
 * a label that had room for it, and read as belonging to the next row.
 */
export function InfoTip({ label, children, testId, text }: { label: string; children: string; testId?: string; text?: string }) {
  const id = useId();
  const [hidden, setHidden] = useState(false);
  const [pinned, setPinned] = useState(false);
  useEffect(() => {
    if (!pinned) return;
    const off = () => setPinned(false);
    window.addEventListener('pointerdown', off);
    return () => window.removeEventListener('pointerdown', off);
  }, [pinned]);
  const cut = text ? text.trimEnd().lastIndexOf(' ') + 1 : 0;
  const tip = (
    <span className={`info-tip${hidden ? ' dismissed' : ''}${pinned ? ' pinned' : ''}`} onMouseLeave={() => setHidden(false)}>
      <button
        type="button"
        className="info-tip-button"
        aria-label={label}
        aria-describedby={id}
        data-testid={testId}
        onBlur={() => {
          setHidden(false);
          setPinned(false);
        }}
        onPointerDown={(e) => e.stopPropagation()}
        onClick={() => {
          setHidden(false);
          setPinned(!pinned);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !hidden) {
            e.stopPropagation();
            e.nativeEvent.stopImmediatePropagation();
            setHidden(true);
            setPinned(false);
          }
        }}
      >
        ?
      </button>
      <span className="info-tip-text" role="tooltip" id={id} data-testid={testId ? `${testId}-text` : undefined}>
        {children}
      </span>
    </span>
  );
  if (!text) return tip;
  return (
    <>
      {text.slice(0, cut)}
      <span className="info-tip-line" data-testid={testId ? `${testId}-line` : undefined}>
        {text.slice(cut).trimEnd()} {tip}
      </span>
    </>
  );
}
