import { useEffect, type RefObject } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The elements Tab visits inside `root`, in document order (hidden ones left out, and those taken out of
 * the Tab order with tabindex -1: the gallery's tiles other than the selected one). */
export function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
}

/**
 * A modal dialog's focus, as WAI-ARIA's dialog pattern has it: on open, focus moves into the dialog
 * (the element marked data-autofocus, else its first control); Tab and Shift+Tab cycle inside it; on close, focus goes
 * back to whatever had it before (the button that opened it), so a keyboard user carries on from there.
 */
export function useDialogFocus(ref: RefObject<HTMLElement | null>, open: boolean) {
  useEffect(() => {
    const root = ref.current;
    if (!open || !root) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    (root.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(root)[0] ?? root).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Tab') return;
      const list = focusables(root);
      if (!list.length) return e.preventDefault();
      const first = list[0];
      const last = list[list.length - 1];
      const at = document.activeElement;
      const inside = at instanceof Node && root.contains(at);
      if (e.shiftKey && (at === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (at === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    // on window, in the capture phase: a dialog's own key handler (the gallery's) may stop the event there
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      // back to the opener, if it is still on the page (a cleared batch may have removed it)
      if (before && before.isConnected) before.focus();
    };
  }, [ref, open]);
}
