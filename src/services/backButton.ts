/**
 * A phone's Back closes the full-screen view on top (the live view, the WBC gallery, the report) instead of
 * leaving the app: in an installed app, Back with no history entry of its own closes the app. Each view adds
 * a history entry while it is open. Back pops that entry and closes the view. A view closed another way
 * (its button, Esc) takes its entry off with history.back(). That popstate is no Back press, and it is
 * ignored.
 *
 * One listener for all views, because a history.back() is asynchronous: "Stop and verify" closes the live
 * view, whose entry is popped after the gallery has already added its own. Per view, that popstate would
 * have closed the gallery it opened; here it is known as ours, and the gallery's entry is made good.
 */
const open: { close: () => void }[] = [];
/** history.back() calls of ours whose popstate has not come yet. */
let ours = 0;
let listening = false;

/** The number of views whose entries lie under and at the current entry. */
const depth = () => (history.state as { smearcountView?: number } | null)?.smearcountView ?? 0;

function onPopState() {
  if (ours > 0) {
    ours--;
    // A view that opened while our back() was on its way (Stop and verify: the gallery's entry is added
    // before the live view's is taken off) may have lost its entry with it: Chromium's back() goes to the
    // entry before the one current when it was called. Add it again, so that Back closes the view.
    if (depth() < open.length) history.pushState({ smearcountView: open.length }, '');
    return;
  }
  // Back: the entry of the view on top is gone, so it closes without taking another one off
  open.pop()?.close();
}

/**
 * Adds a history entry for a view that has just opened. `close` closes it when Back is pressed. Returns what
 * to call when the view closes another way: it takes the entry off (once; not after Back did).
 */
export function addBackEntry(close: () => void): () => void {
  if (!listening) {
    window.addEventListener('popstate', onPopState);
    listening = true;
  }
  const entry = { close };
  open.push(entry);
  // The page does not scroll under a full-screen view, so a traversal back has no position of its own to
  // restore: left to the browser, the history.back() of a view closed by its button scrolled the page back to
  // where the view was opened, after the app had brought the canvas on screen ("Show on canvas" from a
  // phone's differential panel). The mode is the entry's, and a pushed entry copies the current one's.
  history.scrollRestoration = 'manual';
  history.pushState({ smearcountView: open.length }, '');
  return () => {
    const i = open.indexOf(entry);
    if (i < 0) return; // Back closed it: its entry is gone already
    open.splice(i, 1);
    ours++;
    history.back();
  };
}
