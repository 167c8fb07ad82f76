import { useEffect, useId, useState, type ReactNode } from 'react';
import { useHovers } from './useIsPhone';

/**
 * Words on screen whose meaning is a sentence away ("Not saved", "settings changed", "dotted: 1 set by hand"):
 * where a mouse hovers, the sentence is their `title`, as before; on a touch screen, where nothing hovers and a
 * title is never seen, the words are a button whose description is the sentence (aria-describedby), shown under them on a
 * tap and hidden by a second tap, a tap elsewhere or Esc (as InfoTip's "?", whose styles it shares).
 *
 * `testId` names the words (their text is the words alone, as before); `${testId}-tip` the sentence. `data`: the
 * words' own data attributes.
 */
export function TapHint({ tip, children, className, testId, data }: { tip: string; children: ReactNode; className?: string; testId?: string; data?: Record<`data-${string}`, string | undefined> }) {
  const hovers = useHovers();
  const id = useId();
  const [pinned, setPinned] = useState(false);
  useEffect(() => {
    if (!pinned) return;
    const off = () => setPinned(false);
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setPinned(false);
    window.addEventListener('pointerdown', off);
    window.addEventListener('keydown', esc);
    return () => {
      window.removeEventListener('pointerdown', off);
      window.removeEventListener('keydown', esc);
    };
  }, [pinned]);
  if (hovers)
    return (
      <span className={className} data-testid={testId} title={tip} {...data}>
        {children}
      </span>
    );
  return (
    <span className={`info-tip tap-hint${pinned ? ' pinned' : ''}`}>
      <button
        type="button"
        className={`tap-hint-button${className ? ` ${className}` : ''}`}
        aria-describedby={id}
        data-testid={testId}
        {...data}
        onPointerDown={(e) => e.stopPropagation()}
        onClick={() => setPinned(!pinned)}
        onBlur={() => setPinned(false)}
        onKeyDown={(e) => {
          // the shown sentence takes Esc; the app's own Esc (the selection, the More menu) waits for the next
          if (e.key === 'Escape' && pinned) {
            e.stopPropagation();
            e.nativeEvent.stopImmediatePropagation();
            setPinned(false);
          }
        }}
      >
        {children}
      </button>
      <span className="info-tip-text" role="tooltip" id={id} data-testid={testId ? `${testId}-tip` : undefined}>
        {tip}
      </span>
    </span>
  );
}
