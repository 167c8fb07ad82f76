import { useEffect, useId, useState } from 'react';

/**
 * An explanation a keyboard and a screen reader reach, not only a mouse (a `title` is hover-only): a small
 * button, one Tab stop, whose description is the tip (aria-describedby), shown while it has focus or the
 * pointer, and on a tap. Esc hides it without moving focus (WCAG 1.4.13: dismissable), and is not taken
 * from the app's own Esc while the tip is hidden.
 */
export function InfoTip({ label, children, testId }: { label: string; children: string; testId?: string }) {
  const id = useId();
  const [hidden, setHidden] = useState(false);
  const [pinned, setPinned] = useState(false);
  useEffect(() => {
    if (!pinned) return;
    const off = () => setPinned(false);
    window.addEventListener('pointerdown', off);
    return () => window.removeEventListener('pointerdown', off);
  }, [pinned]);
  return (
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
}
