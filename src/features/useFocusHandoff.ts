import { useLayoutEffect, type RefObject } from 'react';

/**
 * A focused button that becomes disabled (Undo with nothing left to undo, Delete once its box is gone) drops
 * the keyboard's focus to the page's body: a keyboard or screen-reader user is thrown back to the top of the
 * page. When `disabled` turns true while `own` holds the focus, the focus goes to the first of `next` that can
 * take it (an enabled, visible element; `next` is read only then), before the browser moves it away. Checked in a layout effect, which
 * runs after React disabled the button and before the browser's focus fix-up at the next rendering.
 */
export function useFocusHandoff(own: RefObject<HTMLElement | null>, disabled: boolean, next: () => readonly (HTMLElement | null)[]): void {
  useLayoutEffect(() => {
    const el = own.current;
    if (!disabled || !el || document.activeElement !== el) return;
    for (const t of next()) {
      if (t && t.isConnected && !(t as HTMLButtonElement).disabled && t.getClientRects().length) {
        t.focus();
        return;
      }
    }
  }, [disabled, own, next]);
}
