import type { ReactNode } from 'react';
import { NARROW } from './useIsPhone';

const wide = () => typeof window === 'undefined' || !window.matchMedia(NARROW).matches;

/** A panel that folds: open on wide screens, folded under the canvas on narrow ones (tap the title). */
export function Section({ title, className, children, testId }: { title: string; className: string; children: ReactNode; testId?: string }) {
  return (
    <details className={`panel ${className}`} open={wide()} data-testid={testId}>
      <summary>
        <h2>{title}</h2>
      </summary>
      {children}
    </details>
  );
}
