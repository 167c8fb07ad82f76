import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { relabelBox } from '../core/edits/commands';
import { NO_EDITS } from '../core/edits/edits';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import { selectDifferentialState, selectSummary, shownDetections } from '../store/selectors';
import { createAppStore } from '../store/store';
import { createViewStore } from '../store/viewStore';
import { createGalleryStore } from '../store/galleryStore';
import { handleKey, type ActionContext } from './actions';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const det = (id: string, cls: Detection['cls'], x: number): Detection => ({ id, cls, score: 0.9, box: { x1: x, y1: 100, x2: x + 40, y2: 140 }, origin: 'model' });
const notSmear = {
  flags: ['not-smear' as const],
  pixels: { sharpness: 1, colour: [0, 0, 0, 0] as [number, number, number, number], brightness: 128, width: 256, height: 192 },
  detections: { rbc: 0, wbc: 1, platelets: 0, rbcScore: null, cellScale: null, rbcSizeCv: null },
};

/** A batch of a clean image `a` (2 RBC) and a not-smear image `g` (1 RBC), out of the totals until accepted. */
function batch(): ActionContext {
  const store = createAppStore(defaults);
  const st = store.getState();
  st.setModel({ status: 'ready' });
  st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
  st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0), det('m1', 'RBC', 100)] });
  st.addImage({ id: 'g', name: 'g.png', bytes: 10 });
  st.updateImage('g', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0)], quality: notSmear });
  return { store, view: createViewStore() };
}

/** The key as the window's keydown listener gets it (App.tsx passes every keydown to handleKey). */
function press(ctx: ActionContext, key: string, mods: { ctrl?: boolean; shift?: boolean; target?: unknown } = {}) {
  const e = { key, code: '', ctrlKey: !!mods.ctrl, metaKey: false, shiftKey: !!mods.shift, altKey: false, target: mods.target ?? null, defaultPrevented: false, preventDefault: vi.fn() };
  handleKey(ctx, e as unknown as KeyboardEvent);
  return e.preventDefault.mock.calls.length > 0;
}

const totals = (ctx: ActionContext) => selectSummary(ctx.store.getState());

describe('"Count it anyway" is a step of the one history', () => {
  // handleKey looks for an open dialog before acting on a key
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('Ctrl+Z takes back accepting a flagged image, Ctrl+Shift+Z redoes it, in order with the edits around it', () => {
    const ctx = batch();
    const st = () => ctx.store.getState();
    expect(totals(ctx)).toMatchObject({ images: 1, totals: { RBC: 2 } });
    st().edit('a', relabelBox, { id: 'm0', cls: 'Platelets' });
    st().acceptFlags('g', true);
    st().select('a');
    expect(totals(ctx)).toMatchObject({ images: 2, totals: { RBC: 2, Platelets: 1 } });
    expect(st().undoLog.past).toHaveLength(2);

    // the last step was the accept: Ctrl+Z takes it back (not the older relabel) and shows its image
    expect(press(ctx, 'z', { ctrl: true })).toBe(true);
    expect(st().images.g.flagsAccepted).toBe(false);
    expect(totals(ctx)).toMatchObject({ images: 1, totals: { RBC: 1, Platelets: 1 } });
    expect(st().currentId).toBe('g');
    // then the relabel
    press(ctx, 'z', { ctrl: true });
    expect(st().images.a.edits.relabeled).toEqual({});
    expect(st().undoLog.past).toHaveLength(0);

    // redo, in the order they were made
    press(ctx, 'z', { ctrl: true, shift: true });
    expect(st().images.a.edits.relabeled).toEqual({ m0: 'Platelets' });
    expect(st().images.g.flagsAccepted).toBe(false);
    press(ctx, 'z', { ctrl: true, shift: true });
    expect(st().images.g.flagsAccepted).toBe(true);
    expect(totals(ctx)).toMatchObject({ images: 2 });
    expect(st().undoLog.future).toHaveLength(0);
  });

  it("the notice's own Undo is a step too; accepting what is already accepted adds none; a removed image leaves the history", () => {
    const ctx = batch();
    const st = () => ctx.store.getState();
    st().acceptFlags('g', true);
    st().acceptFlags('g', true);
    expect(st().undoLog.past).toHaveLength(1);
    st().acceptFlags('g', false); // the Undo button beside the notice
    expect(totals(ctx).images).toBe(1);
    press(ctx, 'z', { ctrl: true }); // takes back that Undo: counted again
    expect(st().images.g.flagsAccepted).toBe(true);
    expect(totals(ctx).images).toBe(2);
    st().removeImage('g');
    expect(st().undoLog).toEqual({ past: [], future: [] });
    expect(st().undo()).toBe(false);
  });
});

describe('E reaches the exports (their panel is some sixty Tab presses down, folded on a narrow screen)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('asks the export panel to open with the focus on its first export, in either case, not with Shift or Ctrl', () => {
    const ctx = batch();
    const asked = () => ctx.view.getState().exportsNonce;
    expect(asked()).toBe(0);
    expect(press(ctx, 'e')).toBe(true);
    expect(asked()).toBe(1);
    // Caps Lock on
    expect(press(ctx, 'E')).toBe(true);
    expect(asked()).toBe(2);
    press(ctx, 'E', { shift: true });
    press(ctx, 'e', { ctrl: true });
    expect(asked()).toBe(2);
  });

  it('leaves the key to a text field, and the sheet gives way to it', () => {
    const ctx = batch();
    expect(press(ctx, 'e', { target: { tagName: 'INPUT', type: 'text' } })).toBe(false);
    expect(press(ctx, 'e', { target: { tagName: 'TEXTAREA' } })).toBe(false);
    expect(ctx.view.getState().exportsNonce).toBe(0);
    ctx.view.getState().setHelpOpen(true);
    press(ctx, 'e', { target: { tagName: 'BUTTON' } });
    expect(ctx.view.getState().exportsNonce).toBe(1);
    expect(ctx.view.getState().helpOpen).toBe(false);
  });

  it('with nothing counted yet, says why nothing opens', () => {
    const store = createAppStore(defaults);
    store.getState().addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    const ctx = { store, view: createViewStore() };
    press(ctx, 'e');
    expect(ctx.view.getState().exportsNonce).toBe(0);
    expect(ctx.view.getState().said?.text).toBe('Nothing counted yet: the exports open once an image is counted.');
  });
});

describe('G opens the WBC gallery (its buttons are in the toolbar and the differential panel)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('opens it once a typed WBC is counted, in either case, not with Shift or Ctrl nor from a text field', () => {
    const store = createAppStore(defaults);
    store.getState().setModel({ status: 'ready' });
    store.getState().addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    store.getState().updateImage('a', { status: 'done', width: 640, height: 480, raw: [det('w0', 'WBC', 0)], wbc: { w0: [0.95, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005] } });
    const ctx: ActionContext = { store, view: createViewStore(), gallery: createGalleryStore() };
    const open = () => ctx.gallery!.getState().open;
    press(ctx, 'g', { shift: true });
    press(ctx, 'g', { ctrl: true });
    press(ctx, 'g', { target: { tagName: 'INPUT', type: 'text' } });
    expect(open()).toBe(false);
    expect(press(ctx, 'g')).toBe(true);
    expect(open()).toBe(true);
    ctx.gallery!.getState().setOpen(false);
    press(ctx, 'G'); // Caps Lock on
    expect(open()).toBe(true);
  });

  it('with no typed WBC, says why nothing opens', () => {
    const ctx: ActionContext = { ...batch(), gallery: createGalleryStore() };
    press(ctx, 'g');
    expect(ctx.gallery!.getState().open).toBe(false);
    expect(ctx.view.getState().said?.text).toBe('No typed WBC in the batch yet: the gallery opens once a WBC is counted and typed.');
  });
});

describe('the answer to the last action gives way to the next', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('"Nothing uncertain on a.jpg: marked reviewed" goes once ] selects a box, or another action runs', () => {
    const ctx = batch();
    ctx.store.getState().select('a');
    press(ctx, 'u');
    expect(ctx.view.getState().said?.text).toMatch(/^Nothing uncertain on a\.jpg: marked reviewed; now on g\.png\.$/);
    press(ctx, ']');
    expect(ctx.view.getState().selectedId).not.toBeNull();
    expect(ctx.view.getState().said).toBeNull();
    // the same answer, then a key that selects nothing (fit): it goes too
    ctx.view.getState().say('Done with a.jpg: marked reviewed; now on g.png.');
    press(ctx, 'f');
    expect(ctx.view.getState().said).toBeNull();
    // ? (the key sheet) keeps it
    ctx.view.getState().say('Done with a.jpg: marked reviewed; now on g.png.');
    press(ctx, '?');
    expect(ctx.view.getState().said).not.toBeNull();
  });

  it('a box selected by a click replaces it too', () => {
    const ctx = batch();
    ctx.view.getState().say('Nothing uncertain on a.jpg: marked reviewed; now on g.png.');
    ctx.view.getState().setSelected('m1');
    expect(ctx.view.getState().said).toBeNull();
  });
});

describe('U past a skipped box does not mark the image reviewed (audit M4)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  /** Image `a` with two boxes near their threshold (uncertain) and one far above it; `b` still to review. */
  function uncertain(): ActionContext {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.setModel({ status: 'ready' });
    st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    const near = (id: string, x: number, score: number): Detection => ({ ...det(id, 'RBC', x), score });
    st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [near('n1', 0, 0.52), near('n2', 100, 0.55), det('sure', 'RBC', 200)] });
    st.addImage({ id: 'b', name: 'b.jpg', bytes: 10 });
    st.updateImage('b', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0)] });
    st.setReviewBand(0.1);
    st.select('a');
    return { store, view: createViewStore() };
  }

  it('past the last box with some skipped: not reviewed, on to the next image; back to the image only after the batch\'s end', () => {
    const ctx = uncertain();
    const st = () => ctx.store.getState();
    const said = () => ctx.view.getState().said?.text;
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n1');
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n2');
    // past the last one with neither accepted: a is not reviewed, and the review goes on to b, saying why
    press(ctx, 'u');
    expect(st().images.a.reviewed).toBe(false);
    expect(st().currentId).toBe('b');
    expect(ctx.view.getState().selectedId).toBeNull();
    expect(said()).toBe('2 uncertain boxes were skipped on a.jpg: not marked reviewed; now on b.jpg.');
    // b has nothing uncertain: reviewed; past the batch's end, back to its start (a, still to review)
    press(ctx, 'u');
    expect(st().images.b.reviewed).toBe(true);
    expect(st().currentId).toBe('a');
    expect(said()).toBe('Nothing uncertain on b.jpg: marked reviewed; now on a.jpg (past the end of the batch, back to its start).');
    // a again, from its first unresolved box; accept n1, pass over n2: no other image is left, so back to n2
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n1');
    press(ctx, 'a');
    expect(ctx.view.getState().selectedId).toBe('n2');
    press(ctx, 'u');
    expect(st().currentId).toBe('a');
    expect(st().images.a.reviewed).toBe(false);
    expect(ctx.view.getState().selectedId).toBe('n2');
    expect(ctx.view.getState().review).toEqual({ k: 1, n: 1 });
    expect(said()).toMatch(/^1 uncertain box was skipped on a\.jpg: not marked reviewed\. No other image is left to review: back to the first of them\./);
    // accept n2: nothing left anywhere
    press(ctx, 'a');
    expect(st().images.a.reviewed).toBe(true);
    expect(said()).toBe('Done with a.jpg: marked reviewed; every image is reviewed.');
  });

  it('a technician who skips a box on purpose is never held on its image while others wait (audit 2026-12-06)', () => {
    const ctx = uncertain();
    const st = () => ctx.store.getState();
    // U past both: b; the pressing goes on through b, never back to a before the batch's end
    for (let i = 0; i < 3; i++) press(ctx, 'u');
    expect(st().currentId).toBe('b');
    // A on the last box of an image with an earlier one passed over: also on, not round to it
    st().select('a');
    ctx.view.getState().setSelected(null);
    press(ctx, 'u'); // n1
    press(ctx, 'u'); // n2, n1 passed over
    press(ctx, 'a'); // n2 accepted: the last of the order
    expect(st().currentId).toBe('b');
    expect(st().images.a.reviewed).toBe(false);
    expect(st().images.a.accepted).toEqual(['n2']);
    expect(ctx.view.getState().said?.text).toBe('1 uncertain box was skipped on a.jpg: not marked reviewed; now on b.jpg.');
  });

  it('A on a box that was never uncertain says so, and goes on to the first uncertain one', () => {
    const ctx = uncertain();
    ctx.view.getState().setSelected('sure');
    press(ctx, 'a');
    expect(ctx.view.getState().selectedId).toBe('n1');
    expect(ctx.view.getState().said?.text).toMatch(/^That box was not one of the uncertain ones: A keeps it as it is\./);
    // on an uncertain box, A says nothing of the kind
    press(ctx, 'a');
    expect(ctx.view.getState().selectedId).toBe('n2');
    expect(ctx.view.getState().said).toBeNull();
  });

  it('a skipped box deleted or relabelled is resolved too', () => {
    const ctx = uncertain();
    const st = () => ctx.store.getState();
    press(ctx, 'u');
    press(ctx, 'Delete'); // n1 deleted
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n2');
    press(ctx, '3'); // relabelled as a platelet: a manual box now
    press(ctx, 'u');
    expect(st().images.a.reviewed).toBe(true);
    expect(st().currentId).toBe('b');
    // none is uncertain now, but two were: not "Nothing uncertain on a.jpg"
    expect(ctx.view.getState().said?.text).toBe('Done with a.jpg: marked reviewed; now on b.jpg.');
  });

  it('boxes passed over, then deleted and relabelled on a later pass, are "done with", not "nothing uncertain"', () => {
    const ctx = uncertain();
    const st = () => ctx.store.getState();
    const said = () => ctx.view.getState().said?.text;
    for (let i = 0; i < 3; i++) press(ctx, 'u'); // n1, n2 passed over: on to b
    expect(said()).toBe('2 uncertain boxes were skipped on a.jpg: not marked reviewed; now on b.jpg.');
    press(ctx, 'u'); // b: nothing uncertain there, truly; back to a
    expect(said()).toMatch(/^Nothing uncertain on b\.jpg: marked reviewed/);
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n1');
    press(ctx, 'Delete');
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('n2');
    press(ctx, '2'); // a WBC by hand
    press(ctx, 'u');
    expect(st().images.a.reviewed).toBe(true);
    expect(st().images.a.accepted ?? []).toEqual([]);
    expect(said()).toBe('Done with a.jpg: marked reviewed; every image is reviewed.');
  });
});

describe('A, Delete and relabel go on to the next unresolved box, never back to a skipped one (audit 2026-12-05)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  /** Image `a` with three uncertain boxes (n1, n2, n3 in review order) and a sure one; `b` reviewed. */
  function three(): ActionContext {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.setModel({ status: 'ready' });
    st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    const near = (id: string, x: number, score: number): Detection => ({ ...det(id, 'RBC', x), score });
    st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [near('n1', 0, 0.52), near('n2', 100, 0.55), near('n3', 200, 0.58), det('sure', 'RBC', 300)] });
    st.addImage({ id: 'b', name: 'b.jpg', bytes: 10 });
    st.updateImage('b', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0)] });
    // b reviewed already: a is the last image to review, so past its end the review goes round it (with b
    // still to review it would go on to b: the tests above)
    st.setReviewed('b', true);
    st.setReviewBand(0.1);
    st.select('a');
    return { store, view: createViewStore() };
  }
  const sel = (ctx: ActionContext) => ctx.view.getState().selectedId;

  it('A after U passed over a box goes on to the next box, then (the last image to review) wraps round to the skipped one, then finishes', () => {
    const ctx = three();
    const st = () => ctx.store.getState();
    press(ctx, 'u');
    press(ctx, 'u'); // n1 passed over
    expect(sel(ctx)).toBe('n2');
    press(ctx, 'a');
    expect(sel(ctx)).toBe('n3');
    press(ctx, 'a');
    // past the end with n1 left: back to it, and it says why
    expect(sel(ctx)).toBe('n1');
    expect(ctx.view.getState().said?.text).toMatch(/^1 uncertain box was skipped on a\.jpg/);
    expect(st().images.a.reviewed).toBe(false);
    press(ctx, 'a');
    expect(st().images.a.reviewed).toBe(true);
    expect(ctx.view.getState().said?.text).toBe('Done with a.jpg: marked reviewed; every image is reviewed.');
  });

  it('the reported loop: after "skipped, back to the first", U then A does not go back to the first again', () => {
    const ctx = three();
    const st = () => ctx.store.getState();
    for (let i = 0; i < 4; i++) press(ctx, 'u'); // n1, n2, n3, then back to n1
    expect(sel(ctx)).toBe('n1');
    expect(ctx.view.getState().said?.text).toMatch(/^3 uncertain boxes were skipped/);
    press(ctx, 'u'); // n1 passed over again
    expect(sel(ctx)).toBe('n2');
    press(ctx, 'a');
    expect(sel(ctx)).toBe('n3');
    expect(ctx.view.getState().review).toEqual({ k: 2, n: 2 });
    press(ctx, 'a');
    expect(sel(ctx)).toBe('n1');
    press(ctx, 'a');
    expect(st().images.a.reviewed).toBe(true);
    expect(st().images.a.accepted).toEqual(['n2', 'n3', 'n1']);
  });

  it('U after Delete goes on from the deleted box', () => {
    const ctx = three();
    press(ctx, 'u');
    press(ctx, 'u');
    press(ctx, 'Delete'); // n2
    expect(sel(ctx)).toBeNull();
    press(ctx, 'u');
    expect(sel(ctx)).toBe('n3');
    press(ctx, 'Delete');
    press(ctx, 'u'); // the last one deleted: round to the skipped n1
    expect(sel(ctx)).toBe('n1');
    expect(ctx.view.getState().said?.text).toMatch(/^1 uncertain box was skipped on a\.jpg/);
  });

  it('U after a relabel (1/2/3) goes on from the relabelled box', () => {
    const ctx = three();
    const st = () => ctx.store.getState();
    press(ctx, 'u');
    press(ctx, 'u');
    press(ctx, '3'); // n2 is a platelet: corrected, still selected
    expect(sel(ctx)).toBe('n2');
    press(ctx, 'u');
    expect(sel(ctx)).toBe('n3');
    press(ctx, 'a');
    expect(sel(ctx)).toBe('n1');
    press(ctx, '1'); // n1 is an RBC: the class it has, pressed, accepts it as it is (resolved)
    press(ctx, 'u');
    expect(st().images.a.reviewed).toBe(true);
    expect(ctx.view.getState().said?.text).toBe('Done with a.jpg: marked reviewed; every image is reviewed.');
  });

  it("the class a box has, pressed, accepts it as the model's box: no edit, no step of the history, its score kept", () => {
    const ctx = three();
    const st = () => ctx.store.getState();
    press(ctx, 'u');
    expect(sel(ctx)).toBe('n1');
    press(ctx, '1');
    expect(st().images.a.edits).toBe(NO_EDITS);
    expect(st().undoLog.past).toHaveLength(0);
    expect(st().images.a.accepted).toEqual(['n1']);
    expect(shownDetections(st().images.a, st().postprocess).find((d) => d.id === 'n1')).toMatchObject({ origin: 'model', score: 0.52 });
    expect(ctx.view.getState().said?.text).toBe('Already an RBC: accepted as it is (A accepts and goes on).');
    // to a platelet and back: the model's RBC again, two steps of the history
    press(ctx, '3');
    press(ctx, '1');
    expect(st().images.a.edits.relabeled).toEqual({});
    expect(shownDetections(st().images.a, st().postprocess).find((d) => d.id === 'n1')).toMatchObject({ origin: 'model', score: 0.52 });
    expect(st().undoLog.past).toHaveLength(2);
  });
});

describe('] after Delete goes on from the deleted box (audit L1)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  function row(): ActionContext {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.setModel({ status: 'ready' });
    st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [0, 1, 2, 3].map((i) => det(`m${i}`, 'RBC', i * 100)) });
    st.select('a');
    return { store, view: createViewStore() };
  }

  it('] selects the box that followed the deleted one, [ the one before it', () => {
    const ctx = row();
    const sel = () => ctx.view.getState().selectedId;
    press(ctx, ']');
    press(ctx, ']');
    press(ctx, ']');
    expect(sel()).toBe('m2');
    press(ctx, 'Delete');
    expect(sel()).toBeNull();
    press(ctx, ']');
    expect(sel()).toBe('m3');
    press(ctx, '[');
    expect(sel()).toBe('m1');
    press(ctx, 'Delete');
    press(ctx, '[');
    expect(sel()).toBe('m0');
    // the last box deleted: ] wraps round to the first
    press(ctx, ']');
    expect(sel()).toBe('m3');
    press(ctx, 'Delete');
    press(ctx, ']');
    expect(sel()).toBe('m0');
  });

  it('a box selected by other means since, or another image, starts from there instead', () => {
    const ctx = row();
    const sel = () => ctx.view.getState().selectedId;
    press(ctx, ']');
    press(ctx, ']'); // m1
    press(ctx, 'Delete');
    ctx.view.getState().setSelected('m3'); // a click
    ctx.view.getState().setSelected(null); // Esc
    press(ctx, ']');
    expect(sel()).toBe('m0');
  });
});

describe('N then Enter places a box whatever has the focus (audit s49 major 1)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  /** Enter with `target` focused, as the window's listener gets it after the control's own handlers. */
  function enterOn(ctx: ActionContext, target: object | null) {
    const e = { key: 'Enter', code: 'Enter', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, target, defaultPrevented: false, preventDefault: vi.fn() };
    handleKey(ctx, e as unknown as KeyboardEvent);
    return e.preventDefault.mock.calls.length > 0;
  }
  const added = (ctx: ActionContext) => ctx.store.getState().images.a.edits.added.length;

  it('a focused button (Add images), list row or link gives Enter up to the placement, and Ctrl+Z takes the box back', () => {
    const ctx = batch();
    ctx.store.getState().select('a');
    // Draw mode off: Enter is the button's (it presses it)
    expect(enterOn(ctx, { tagName: 'BUTTON' })).toBe(false);
    expect(added(ctx)).toBe(0);
    press(ctx, 'n');
    // the default (the button's click, the file chooser) is prevented and the box placed
    expect(enterOn(ctx, { tagName: 'BUTTON' })).toBe(true);
    expect(added(ctx)).toBe(1);
    expect(ctx.view.getState().selectedId).toBe(ctx.store.getState().images.a.edits.added[0].id);
    expect(enterOn(ctx, { tagName: 'LI' })).toBe(true);
    expect(enterOn(ctx, { tagName: 'A' })).toBe(true);
    expect(enterOn(ctx, { tagName: 'INPUT', type: 'checkbox' })).toBe(true);
    expect(added(ctx)).toBe(4);
    press(ctx, 'z', { ctrl: true });
    expect(added(ctx)).toBe(3);
  });

  it('a text field or a select keeps its Enter; with no counted image Enter stays the control’s', () => {
    const ctx = batch();
    ctx.store.getState().select('a');
    press(ctx, 'n');
    expect(enterOn(ctx, { tagName: 'INPUT', type: 'text' })).toBe(false);
    expect(enterOn(ctx, { tagName: 'TEXTAREA' })).toBe(false);
    expect(enterOn(ctx, { tagName: 'SELECT' })).toBe(false);
    expect(added(ctx)).toBe(0);
    ctx.store.getState().updateImage('a', { status: 'running' });
    expect(enterOn(ctx, { tagName: 'BUTTON' })).toBe(false);
    expect(added(ctx)).toBe(0);
  });
});

describe('letter shortcuts work in either case, as with Caps Lock (audit s49 minor 1)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('R, N, F, J, K, U and Ctrl+Z act on the upper-case key', () => {
    const ctx = batch();
    const st = () => ctx.store.getState();
    st().select('a');
    expect(press(ctx, 'R')).toBe(true);
    expect(st().images.a.reviewed).toBe(true);
    press(ctx, 'R');
    expect(st().images.a.reviewed).toBe(false);
    expect(press(ctx, 'N')).toBe(true);
    expect(ctx.view.getState().mode).toBe('draw');
    press(ctx, 'Escape');
    expect(press(ctx, 'F')).toBe(true);
    expect(press(ctx, 'J')).toBe(true);
    expect(st().currentId).toBe('g');
    expect(press(ctx, 'K')).toBe(true);
    expect(st().currentId).toBe('a');
    st().updateImage('a', { raw: [{ ...det('m0', 'RBC', 0), score: 0.55 }, det('m1', 'RBC', 100)] });
    expect(press(ctx, 'U')).toBe(true);
    expect(ctx.view.getState().selectedId).toBe('m0');
    press(ctx, 'Delete');
    expect(press(ctx, 'Z', { ctrl: true })).toBe(true);
    expect(st().images.a.edits.deleted).toEqual([]);
  });

  it('Shift+digit stays the WBC type, apart from the digit alone (the class)', () => {
    const ctx = batch();
    const st = () => ctx.store.getState();
    st().updateImage('a', { raw: [det('w', 'WBC', 0)] });
    ctx.view.getState().setSelected('w');
    const e = { key: '!', code: 'Digit1', ctrlKey: false, metaKey: false, shiftKey: true, altKey: false, target: null, defaultPrevented: false, preventDefault: vi.fn() };
    handleKey(ctx, e as unknown as KeyboardEvent);
    const shown = () => st().images.a;
    expect(shown().edits.typed).toEqual({ w: 'neutrophil' });
    expect(shown().edits.relabeled).toEqual({});
    press(ctx, '3');
    expect(shown().edits.relabeled).toEqual({ w: 'Platelets' });
  });

  it('retyping a WBC on the canvas is the gallery\'s move: one rule, so the cell is verified and leaves smudge / other', () => {
    const ctx = batch();
    const st = () => ctx.store.getState();
    st().updateImage('a', { raw: [det('w', 'WBC', 0)] });
    // the technician had put the cell among "other" in the gallery, then looks again on the canvas
    st().edit('a', reclassifyCell, { id: 'w', to: 'other', note: 'blast?' });
    st().edit('a', verifyCells, { ids: ['w'], verified: false });
    const before = st().images.a.edits;
    ctx.view.getState().setSelected('w');
    const e = { key: '#', code: 'Digit3', ctrlKey: false, metaKey: false, shiftKey: true, altKey: false, target: null, defaultPrevented: false, preventDefault: vi.fn() };
    handleKey(ctx, e as unknown as KeyboardEvent);
    expect(st().images.a.edits).toEqual(reclassifyCell.perform(before, { id: 'w', to: 'monocyte' }));
    expect(st().images.a.edits).toMatchObject({ typed: { w: 'monocyte' }, verified: ['w'], excluded: {} });
  });
});

describe('the keyboard zooms and pans the canvas (audit s49 minor 2)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('+ and - zoom about the middle of the canvas; Shift+arrows pan with no box selected and move a selected one', () => {
    const ctx = batch();
    ctx.store.getState().select('a');
    const v = () => ctx.view.getState();
    v().setViewport({ w: 800, h: 600 });
    v().setTransform({ scale: 1, x: 80, y: 60 });
    // the image point under the canvas's middle stays there
    const middle = () => ({ x: (400 - v().transform.x) / v().transform.scale, y: (300 - v().transform.y) / v().transform.scale });
    const before = middle();
    expect(press(ctx, '+', { shift: true })).toBe(true);
    expect(v().transform.scale).toBeCloseTo(1.25);
    expect(middle().x).toBeCloseTo(before.x);
    expect(middle().y).toBeCloseTo(before.y);
    expect(press(ctx, '=')).toBe(true);
    expect(v().transform.scale).toBeCloseTo(1.5625);
    expect(press(ctx, '-')).toBe(true);
    expect(press(ctx, '-')).toBe(true);
    expect(v().transform.scale).toBeCloseTo(1);
    expect(middle().x).toBeCloseTo(before.x);
    // pan: Shift+Right shows what lies to the right (the image moves left), an eighth of the canvas
    const t0 = v().transform;
    expect(press(ctx, 'ArrowRight', { shift: true })).toBe(true);
    expect(v().transform).toEqual({ ...t0, x: t0.x - 100 });
    press(ctx, 'ArrowDown', { shift: true });
    expect(v().transform).toEqual({ ...t0, x: t0.x - 100, y: t0.y - 75 });
    // the same keys move a selected box and leave the view where it is
    v().setSelected('m1');
    const t1 = v().transform;
    press(ctx, 'ArrowRight', { shift: true });
    expect(v().transform).toEqual(t1);
    expect(ctx.store.getState().images.a.edits.moved.m1?.x1).toBeGreaterThan(100);
  });
});

describe('P opens the report (audit s49 minor 6)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('once an image is counted, in either case; before that it says why not', () => {
    const empty: ActionContext = { store: createAppStore(defaults), view: createViewStore() };
    expect(press(empty, 'p')).toBe(true);
    expect(empty.view.getState().reportOpen).toBe(false);
    expect(empty.view.getState().said?.text).toMatch(/Nothing counted yet/);
    const ctx = batch();
    expect(press(ctx, 'P')).toBe(true);
    expect(ctx.view.getState().reportOpen).toBe(true);
  });
});

describe('A on a WBC visited for its unsure type (U, then A: the key sheet’s keys)', () => {
  beforeEach(() => vi.stubGlobal('document', { querySelector: () => null }));
  afterEach(() => vi.unstubAllGlobals());

  it('verifies the type it shows, so the differential counts it; a confident type is left as it was; Ctrl+Z takes it back', () => {
    const store = createAppStore(defaults);
    const st = () => store.getState();
    st().setModel({ status: 'ready' });
    st().addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    // w0: lymphocyte at 0.5, under the card's 0.6; w1: a confident neutrophil
    st().updateImage('a', { status: 'done', width: 640, height: 480, raw: [det('w0', 'WBC', 0), det('w1', 'WBC', 200)], wbc: { w0: [0.3, 0.5, 0.2, 0, 0, 0, 0], w1: [0.95, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005] } });
    const ctx: ActionContext = { store, view: createViewStore(), classifier: { lowConfidence: 0.6 } as ActionContext['classifier'] };
    expect(selectDifferentialState(st(), 0.6)).toMatchObject({ verified: 0, unverified: 2, unsure: 1 });
    press(ctx, 'u');
    expect(ctx.view.getState().selectedId).toBe('w0');
    press(ctx, 'a');
    // it was accepted as a box only: out of U's order, but unverified and unsure in the differential
    expect(selectDifferentialState(st(), 0.6)).toMatchObject({ verified: 1, unverified: 1, unsure: 0 });
    expect(selectDifferentialState(st(), 0.6).released.counts.lymphocyte).toBe(1);
    // the confident one, picked and accepted with A: kept as it is, not verified on its own
    ctx.view.getState().setSelected('w1');
    press(ctx, 'a');
    expect(selectDifferentialState(st(), 0.6)).toMatchObject({ verified: 1, unverified: 1 });
    press(ctx, 'z', { ctrl: true });
    expect(selectDifferentialState(st(), 0.6)).toMatchObject({ verified: 0, unsure: 1 });
  });
});
