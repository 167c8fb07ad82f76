import { useEffect, type RefObject } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The elements Tab visits inside `root`, in document order (hidden ones left out, and those taken out of
 * the Tab order with tabindex -1: the gallery's tiles other than the selected one). */
export function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
}

/**
 * Makes everything on the page but `root` and its ancestors inert (out of the Tab order, the pointer's reach
 * and the accessibility tree: aria-modal alone leaves the page behind in it), and returns the undo. Only
 * elements it made inert are restored: one that was inert already stays so.
 */
export function inertBehind(root: HTMLElement): () => void {
  const made: HTMLElement[] = [];
  for (let el: HTMLElement = root; el.parentElement && el !== document.body; el = el.parentElement) {
    for (const sib of Array.from(el.parentElement.children)) {
      if (sib === el || !(sib instanceof HTMLElement) || sib.inert) continue;
      sib.inert = true;
      made.push(sib);
    }
  }
  return () => {
    for (const el of made) el.inert = false;
  };
}

/** The opener itself where it is shown; where it was in a menu that closed as the dialog opened (the phone
 * toolbar's More: its Gallery button hid with the menu, and the focus given back to it fell to the page's body),
 * the control that opens that menu (aria-controls). */
function shownOpener(el: HTMLElement): HTMLElement | null {
  if (el.getClientRects().length > 0) return el;
  for (let p = el.parentElement; p; p = p.parentElement) {
    if (!p.id || p.getClientRects().length > 0) continue;
    const control = document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(p.id)}"]`);
    if (control && control.getClientRects().length > 0) return control;
  }
  return null;
}

/**
 * A modal dialog's focus, as WAI-ARIA's dialog pattern has it: on open, focus moves into the dialog
 * (the element marked data-autofocus, else its first control); Tab and Shift+Tab cycle inside it; on close, focus goes
 * back to whatever had it before (the button that opened it), so a keyboard user carries on from there.
 * `inert`: the page behind the dialog is made inert while it is open (a full-screen modal such as the gallery).
 */
export function useDialogFocus(ref: RefObject<HTMLElement | null>, open: boolean, { inert = false }: { inert?: boolean } = {}) {
  useEffect(() => {
    const root = ref.current;
    if (!open || !root) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const restore = inert ? inertBehind(root) : () => {};
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
      // the page first: an inert opener cannot take the focus back
      restore();
      // back to the opener, if it is still on the page (a cleared batch may have removed it)
      if (before && before.isConnected) (shownOpener(before) ?? before).focus();
    };
  }, [ref, open, inert]);
}
