/**
 * Everything a technician can do to the current image, as a typed registry: the toolbar, the
 * keyboard handler and tests call the same entries by name, and an unknown name does not compile.
 * Edits go through the pure commands in src/core/edits, so undo covers every path; the review
 * logic is core's reviewStep.
 */
import type { CellClass } from '../core/detection/classes';
import { addBox, deleteBox, keepBox, moveBox, relabelBox } from '../core/edits/commands';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import type { ClassifierCard } from '../core/differential/card';
import { typeUnsure, WBC_TYPES, type WbcType } from '../core/differential/differential';
import { reviewStep, reviewTrail, uncertaintyOrder } from '../core/edits/review';
import { undoText } from '../core/edits/undoText';
import { nudgedBox, placedBox, readingOrder, zoomAbout, type Arrow, type Box } from '../core/detection/geometry';
import { belowThresholdOf, selectGalleryCells, shownDetections, uncertainAsCounted } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { ViewStore } from '../store/viewStore';
import type { GalleryStore } from '../store/galleryStore';
import { inputMode } from './useInputMode';

export interface ActionContext {
  store: AppStore;
  view: ViewStore;
  /** The WBC classifier's card, when the differential is on. */
  classifier?: ClassifierCard | null;
  /** The WBC gallery's state (G opens it). */
  gallery?: GalleryStore;
}

interface ActionDef {
  keyTest(e: KeyboardEvent): boolean;
  run(ctx: ActionContext): void;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;

/** Accepts a box as it is (A, or the class it has pressed again): out of U's order. */
function acceptShown(s: ReturnType<AppStore['getState']>, imageId: string, sel: string, classifier?: ClassifierCard | null) {
  const im = s.images[imageId];
  // A WBC visited for its unsure type is accepted with the type it shows: verified, as the gallery's V
  // does. Accepted as a box only, it left U's order while the differential still kept it apart as
  // unverified and unsure, so a technician going through U and A (the key sheet's keys) released nothing.
  const w = im ? shownDetections(im, s.postprocess).find((d) => d.id === sel)?.wbc : undefined;
  if (w && !w.category && typeUnsure(w, classifier?.lowConfidence ?? 0)) s.edit(imageId, verifyCells, { ids: [sel], verified: true, types: { [sel]: w.type } });
  s.acceptBox(imageId, sel);
}

const relabel = (cls: CellClass, i: number): ActionDef => ({
  keyTest: (e) => !mod(e) && !e.shiftKey && e.key === String(i + 1),
  run({ store, view, classifier }) {
    const s = store.getState();
    const id = s.currentId;
    const sel = view.getState().selectedId;
    if (!id || !sel) return view.getState().setDrawClass(cls);
    // the model's class goes with it: relabelled to it, the box is the model's again (core relabelBox)
    const im = s.images[id];
    const shown = im && shownDetections(im, s.postprocess).find((d) => d.id === sel);
    // the class it has, pressed: the technician says it is right, so it is accepted as it is (resolved for U),
    // not made a box "changed by hand" with its score gone, an edit the audit trail could not show
    if (shown?.cls === cls) {
      acceptShown(s, id, sel, classifier);
      return view.getState().say(`Already ${cls === 'Platelets' ? 'a platelet' : `a${cls === 'RBC' ? 'n' : ''} ${cls}`}: accepted as it is (${inputMode() === 'touch' ? 'Accept does so and goes on' : 'A accepts and goes on'}).`);
    }
    // a box under the threshold (U visits them), relabelled, is counted as that class
    const below = !shown && im ? belowThresholdOf(im, s.postprocess, s.reviewBand).some((d) => d.id === sel) : false;
    s.edit(id, relabelBox, { id: sel, cls, modelCls: im?.raw?.find((d) => d.id === sel)?.cls, keep: below });
  },
});

/** Shift+1..7 sets the selected WBC's type (the card's class order), with undo: the gallery's own move, so
 * the cell is verified and leaves smudge / other, as when it is moved there (one rule wherever it is typed).
 * Types set one after another on one box are one step of the history, as the nudges are. */
const setType = (type: WbcType, i: number): ActionDef => ({
  keyTest: (e) => !mod(e) && e.shiftKey && e.code === `Digit${i + 1}`,
  run({ store, view }) {
    const s = store.getState();
    const id = s.currentId;
    const sel = view.getState().selectedId;
    const im = id ? s.images[id] : undefined;
    if (!im || !sel) return;
    const d = shownDetections(im, s.postprocess).find((x) => x.id === sel);
    // one step and one audit line for the types set one after another on one box: arrowing through the review
    // bar's type list (a closed select takes each arrow as a choice) made each type passed an edit
    if (d?.cls === 'WBC') s.edit(im.id, reclassifyCell, { id: sel, to: type }, `type:${sel}`);
  },
});

function stepBox({ store, view }: ActionContext, step: 1 | -1) {
  const s = store.getState();
  const im = s.currentId ? s.images[s.currentId] : undefined;
  if (!im) return;
  const v = view.getState();
  const shown = shownDetections(im, s.postprocess);
  if (!shown.length) return;
  // just after a Delete: go on from the deleted box's place, as if it were still there
  const gone = !v.selectedId && v.deletedAt?.imageId === im.id ? { id: '', box: v.deletedAt.box } : null;
  const boxes: { id: string; box: Box }[] = readingOrder(gone ? [...shown, gone] : shown);
  const i = boxes.findIndex((d) => (gone ? d === gone : d.id === v.selectedId));
  const next = boxes[i < 0 ? (step > 0 ? 0 : boxes.length - 1) : (i + step + boxes.length) % boxes.length];
  view.getState().setSelected(next.id);
  view.getState().setFocus(next.id);
}

/** Undo or redo, said on the status line and to a screen reader (core/edits/undoText, from the audit lines the
 * step wrote): a move or a type taken back changed nothing else on screen that said so, and Ctrl+Z with
 * nothing left to undo did nothing at all. */
function stepHistory(store: AppStore, view: ViewStore, dir: 'undo' | 'redo') {
  const before = store.getState();
  const last = before.audit[before.audit.length - 1];
  if (!(dir === 'undo' ? before.undo() : before.redo())) return view.getState().say(dir === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
  const after = store.getState();
  const fresh = after.audit.slice(last ? after.audit.lastIndexOf(last) + 1 : 0);
  const image = fresh.find((a) => a.image)?.image ?? (after.currentId ? after.images[after.currentId]?.name : undefined) ?? '';
  view.getState().say(undoText(dir, image, fresh));
}

/** Shift+arrow moves the selected box, Shift+Alt+arrow resizes it from its bottom-right corner, by a
 * twelfth of its shorter side (at least 1 image px) a press: a box drawn or corrected without a pointer.
 * The presses on one box are one step of the history and one line of the audit trail. */
function zoomView(view: ActionContext['view'], factor: number) {
  const v = view.getState();
  if (v.viewport.w <= 0) return;
  v.setTransform(zoomAbout(v.transform, factor, v.viewport.w / 2, v.viewport.h / 2));
}

const nudge = (key: Arrow, how: 'move' | 'resize'): ActionDef => ({
  keyTest: (e) => !mod(e) && e.shiftKey && e.altKey === (how === 'resize') && e.key === key,
  run({ store, view }) {
    const s = store.getState();
    const im = s.currentId ? s.images[s.currentId] : undefined;
    const v = view.getState();
    const sel = v.selectedId;
    const d = im && sel ? shownDetections(im, s.postprocess).find((x) => x.id === sel) : undefined;
    // no box selected: Shift+arrows pan the view an eighth of the canvas, so that the keyboard reaches
    // any part of a zoomed field (a cell the detector missed has no box to jump to)
    if (how === 'move' && !sel && im?.status === 'done' && v.viewport.w > 0) {
      const t = v.transform;
      const [dx, dy] = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[key];
      v.setTransform({ ...t, x: t.x + (dx * v.viewport.w) / 8, y: t.y + (dy * v.viewport.h) / 8 });
      return;
    }
    if (!im || !d || !im.width || !im.height) return;
    const step = Math.max(1, Math.round(Math.min(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) / 12));
    const box = nudgedBox(d.box, key, how, step, im.width, im.height);
    // at the image's edge the box does not move: no edit (a model box had become one set by hand)
    if (box.x1 === d.box.x1 && box.y1 === d.box.y1 && box.x2 === d.box.x2 && box.y2 === d.box.y2) return;
    s.edit(im.id, moveBox, { id: d.id, box, width: im.width, height: im.height }, `nudge:${d.id}`);
  },
});

export const actions = {
  delete: {
    keyTest: (e) => e.key === 'Delete' || e.key === 'Backspace',
    run({ store, view }) {
      const id = store.getState().currentId;
      const sel = view.getState().selectedId;
      if (id && sel) {
        const im = store.getState().images[id];
        const gone = im ? shownDetections(im, store.getState().postprocess).find((d) => d.id === sel) : undefined;
        const below = !gone && im ? belowThresholdOf(im, store.getState().postprocess, store.getState().reviewBand).find((d) => d.id === sel) : undefined;
        const edits = im?.edits;
        store.getState().edit(id, deleteBox, { id: sel });
        view.getState().setSelected(null);
        view.getState().setDeletedAt(gone ? { imageId: id, id: sel, box: gone.box } : null);
        // said (and read by a screen reader): the box leaves with the selection, and only the counts changed. By
        // touch it names the button, not a key: a phone said 'Undo (Ctrl+Z)', a key it has not got (inputMode)
        const what = gone ?? below;
        if (what && store.getState().images[id]?.edits !== edits) view.getState().say(`${what.cls} box ${gone ? 'deleted' : 'left out'}: Undo${inputMode() === 'touch' ? '' : ' (Ctrl+Z)'} brings it back.`);
      }
    },
  },
  'relabel-RBC': relabel('RBC', 0),
  'relabel-WBC': relabel('WBC', 1),
  'relabel-Platelets': relabel('Platelets', 2),
  'type-neutrophil': setType(WBC_TYPES[0], 0),
  'type-lymphocyte': setType(WBC_TYPES[1], 1),
  'type-monocyte': setType(WBC_TYPES[2], 2),
  'type-eosinophil': setType(WBC_TYPES[3], 3),
  'type-basophil': setType(WBC_TYPES[4], 4),
  'type-immature_granulocyte': setType(WBC_TYPES[5], 5),
  'type-erythroblast': setType(WBC_TYPES[6], 6),
  undo: {
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z',
    run({ store, view }) {
      // one history: the last edit of the batch, from the canvas, the keys or the gallery
      stepHistory(store, view, 'undo');
    },
  },
  redo: {
    keyTest: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y'),
    run({ store, view }) {
      stepHistory(store, view, 'redo');
    },
  },
  draw: {
    keyTest: (e) => !mod(e) && (e.key === 'n' || e.key === 'b'),
    run({ view }) {
      view.getState().setSelected(null);
      view.getState().setMode('draw');
    },
  },
  // Draw, then Enter: a box of the class chosen (1/2/3) in the middle of the view, as large as the image's
  // boxes of that class, selected, so Shift+arrows move it onto the cell and Shift+Alt+arrows size it.
  'place-box': {
    keyTest: (e) => !mod(e) && e.key === 'Enter',
    run({ store, view }) {
      const v = view.getState();
      const s = store.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (v.mode !== 'draw' || !im || im.status !== 'done' || !im.width || !im.height) return;
      const t = v.transform;
      const centre = v.viewport.w > 0 && t.scale > 0 ? { x: (v.viewport.w / 2 - t.x) / t.scale, y: (v.viewport.h / 2 - t.y) / t.scale } : { x: im.width / 2, y: im.height / 2 };
      const box = placedBox(shownDetections(im, s.postprocess), v.drawClass, centre, im.width, im.height);
      s.edit(im.id, addBox, { cls: v.drawClass, box, width: im.width, height: im.height });
      const added = store.getState().images[im.id]?.edits.added;
      if (added?.length) v.setSelected(added[added.length - 1].id);
      v.say(`New ${v.drawClass} box in the middle of the view: Shift+arrows move it, Shift+Alt+arrows resize it, 1/2/3 set its class.`);
    },
  },
  'move-left': nudge('ArrowLeft', 'move'),
  'move-right': nudge('ArrowRight', 'move'),
  'move-up': nudge('ArrowUp', 'move'),
  'move-down': nudge('ArrowDown', 'move'),
  'resize-left': nudge('ArrowLeft', 'resize'),
  'resize-right': nudge('ArrowRight', 'resize'),
  'resize-up': nudge('ArrowUp', 'resize'),
  'resize-down': nudge('ArrowDown', 'resize'),
  escape: {
    keyTest: (e) => e.key === 'Escape',
    run({ view }) {
      view.getState().setReportOpen(false);
      view.getState().say(null);
      view.getState().setHelpOpen(false);
      view.getState().setSelected(null);
      view.getState().setMode('select');
    },
  },
  fit: { keyTest: (e) => !mod(e) && e.key === 'f', run: ({ view }) => view.getState().fit() },
  // + and - zoom about the middle of the canvas, a wheel notch and a half at a time (F fits again)
  'zoom-in': { keyTest: (e) => !mod(e) && (e.key === '+' || e.key === '='), run: ({ view }) => zoomView(view, 1.25) },
  'zoom-out': { keyTest: (e) => !mod(e) && (e.key === '-' || e.key === '_'), run: ({ view }) => zoomView(view, 1 / 1.25) },
  'next-image': {
    keyTest: (e) => !mod(e) && !e.shiftKey && (e.key === 'ArrowDown' || e.key === 'ArrowRight' || e.key === 'j'),
    run({ store, view }) {
      view.getState().setSelected(null);
      store.getState().selectRelative(1);
    },
  },
  'previous-image': {
    keyTest: (e) => !mod(e) && !e.shiftKey && (e.key === 'ArrowUp' || e.key === 'ArrowLeft' || e.key === 'k'),
    run({ store, view }) {
      view.getState().setSelected(null);
      store.getState().selectRelative(-1);
    },
  },
  // Review mode: U steps through the current image's least certain detections; past the last, on to the next
  // image still to review (batch order, wrapping to the start only after the batch's end). The image is
  // marked reviewed only when none of its uncertain boxes was passed over.
  'next-uncertain': {
    keyTest: (e) => !mod(e) && e.key === 'u',
    run({ store, view, classifier }) {
      const s = store.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (!im) return;
      const pending = (id: string) => !s.images[id].reviewed && s.images[id].status === 'done';
      const dets = shownDetections(im, s.postprocess);
      // the band below the threshold too: boxes a threshold just too high leaves out
      const below = belowThresholdOf(im, s.postprocess, s.reviewBand);
      const low = classifier?.lowConfidence ?? 0;
      const v = view.getState();
      // from the box just looked at: the selected one, else the one Delete just took away
      const anchor = v.selectedId ?? (v.deletedAt?.imageId === im.id ? v.deletedAt.id : null);
      const o = { lowConfidence: low, band: s.reviewBand, accepted: im.accepted, below, trail: v.reviewTrail?.imageId === im.id ? v.reviewTrail.ids : [] };
      const step = reviewStep(dets, s.postprocess, anchor, s.order, im.id, pending, o);
      const skippedText = (count: number) => `${count === 1 ? '1 uncertain box was' : `${count} uncertain boxes were`} skipped on ${im.name}: not marked reviewed`;
      if (step.kind === 'select' || step.kind === 'skipped') {
        const list = uncertaintyOrder(dets, s.postprocess, low, s.reviewBand, im.accepted, below);
        v.setReviewTrail({ imageId: im.id, ids: reviewTrail(dets, s.postprocess, o) });
        v.setSelected(step.detectionId);
        v.setFocus(step.detectionId, { k: list.findIndex((d) => d.id === step.detectionId) + 1, n: list.length });
        // Passed over, neither accepted nor corrected, and no other image left to go on to: back to the first
        // of them, saying why the image did not change (the report would print "Reviewed: yes" for it).
        if (step.kind === 'skipped') view.getState().say(`${skippedText(step.count)}. No other image is left to review: back to the first of them. ${inputMode() === 'touch' ? 'Accept or Delete each, or tick Reviewed to mark the image reviewed as it is' : 'A accepts, Del deletes; R marks the image reviewed as it is'}.`);
        return;
      }
      // every uncertain box is resolved by now: "nothing uncertain" only where there was none to resolve, as
      // the image was counted (boxes passed over, then deleted or relabelled, are gone from the order now)
      const none = !im.accepted?.length && uncertainAsCounted(im, s.postprocess, s.reviewBand, low) === 0;
      if (step.kind === 'finish-image') s.setReviewed(im.id, true);
      view.getState().setSelected(null);
      view.getState().setFocus(null);
      view.getState().fit();
      if (step.next) s.select(step.next);
      // The image changes at once: say why, or a technician cannot tell a clean image from a missed key. A
      // next image before this one means the pass went past the batch's end: say so, or it reads as a loop.
      const wrapped = !!step.next && s.order.indexOf(step.next) < s.order.indexOf(im.id);
      const then = step.next ? `now on ${s.images[step.next].name}${wrapped ? ' (past the end of the batch, back to its start)' : ''}` : 'every image is reviewed';
      if (step.kind === 'leave-image') view.getState().say(`${skippedText(step.count)}; ${then}.`);
      else view.getState().say(`${none ? `Nothing uncertain on ${im.name}` : `Done with ${im.name}`}: marked reviewed; ${then}.`);
    },
  },
  // While reviewing, A accepts the selected box as it is and goes on to the next uncertain one. A box
  // from the band below the threshold is the model's proposal: accepting it counts it.
  accept: {
    keyTest: (e) => !mod(e) && !e.shiftKey && e.key.toLowerCase() === 'a',
    run(ctx) {
      const s = ctx.store.getState();
      const sel = ctx.view.getState().selectedId;
      const im = s.currentId ? s.images[s.currentId] : undefined;
      const below = im ? belowThresholdOf(im, s.postprocess, s.reviewBand) : [];
      if (im && sel && below.some((d) => d.id === sel)) s.edit(im.id, keepBox, { id: sel });
      // A box that was never uncertain (picked by a click or ]) is accepted as well, but say so: otherwise the
      // key seems to have done nothing but jump (the next step's own answer, if any, replaces this one)
      const low = ctx.classifier?.lowConfidence ?? 0;
      const wasUncertain = !!im && !!sel && uncertaintyOrder(shownDetections(im, s.postprocess), s.postprocess, low, s.reviewBand, [], below).some((d) => d.id === sel);
      if (s.currentId && sel) acceptShown(s, s.currentId, sel, ctx.classifier);
      actions['next-uncertain'].run(ctx);
      if (im && sel && !wasUncertain && !ctx.view.getState().said) ctx.view.getState().say(`That box was not one of the uncertain ones: ${inputMode() === 'touch' ? 'Accept' : 'A'} keeps it as it is. Now on the next uncertain box.`);
    },
  },
  // Every box by keyboard, not only the uncertain ones (U): ] and [ step through the image's boxes in
  // reading order, selecting each and bringing it into view, so a confident false positive can be deleted
  // or relabelled without a pointer.
  // P: the report preview (verify and print), once an image is counted: its button sits below the settings,
  // some sixty Tab presses from the top (audit s49 minor 6)
  report: {
    keyTest: (e) => !mod(e) && !e.shiftKey && e.key === 'p',
    run({ store, view }) {
      const s = store.getState();
      if (s.order.some((id) => s.images[id].status === 'done')) view.getState().setReportOpen(true);
      else view.getState().say('Nothing counted yet: the report opens once an image is counted.');
    },
  },
  // E: the exports, the focus on the first (Counts CSV), Tab to the rest: their panel sits at the bottom of
  // the right column, folded on a narrow screen, with no key to reach it but Tab
  exports: {
    keyTest: (e) => !mod(e) && !e.shiftKey && e.key === 'e',
    run({ store, view }) {
      const s = store.getState();
      if (s.order.some((id) => s.images[id].status === 'done')) view.getState().openExports();
      else view.getState().say('Nothing counted yet: the exports open once an image is counted.');
    },
  },
  // G: the WBC gallery, where the batch's WBCs are verified by type; its button is in the toolbar and the
  // differential panel, and the key sheet lists its keys
  gallery: {
    keyTest: (e) => !mod(e) && !e.shiftKey && e.key === 'g',
    run({ store, view, gallery }) {
      if (!gallery) return;
      if (selectGalleryCells(store.getState()).length) gallery.getState().setOpen(true);
      else view.getState().say('No typed WBC in the batch yet: the gallery opens once a WBC is counted and typed.');
    },
  },
  'next-box': { keyTest: (e) => !mod(e) && e.key === ']', run: (ctx) => stepBox(ctx, 1) },
  'previous-box': { keyTest: (e) => !mod(e) && e.key === '[', run: (ctx) => stepBox(ctx, -1) },
  help: {
    keyTest: (e) => e.key === '?',
    run: ({ view }) => view.getState().setHelpOpen(!view.getState().helpOpen),
  },
  'toggle-reviewed': {
    keyTest: (e) => !mod(e) && e.key === 'r',
    run({ store }) {
      const s = store.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (im) s.setReviewed(im.id, !im.reviewed);
    },
  },
} satisfies Record<string, ActionDef>;

export type ActionName = keyof typeof actions;

/** Relabel action for a class (1/2/3). */
export const relabelAction = (cls: CellClass): ActionName => `relabel-${cls}`;

/** Asks, then takes the image out of the batch (the toolbar's Remove image, Del in the image list). */
export function confirmDiscard(s: { store: AppStore; discardImage(id: string): void }, id: string) {
  const im = s.store.getState().images[id];
  if (im && im.status !== 'running' && confirm(`Remove ${im.name} from this batch? Its counts and edits leave the totals and the saved batch; Undo (Ctrl+Z) brings it back, after a reload too.`)) s.discardImage(id);
}

/** Actions that leave the last answer on screen: the key sheet, and the nudges that the answer to a placed
 * box explains ("Shift+arrows move it"). Every other action's own hint replaces it. */
const KEEPS_SAID = new Set<ActionName>(['help', 'move-left', 'move-right', 'move-up', 'move-down', 'resize-left', 'resize-right', 'resize-up', 'resize-down']);

function perform(ctx: ActionContext, name: ActionName) {
  // an old answer ("Nothing uncertain on X: marked reviewed; now on Y.") must not stay above the next
  // box's hint: the action says something new if it has something to say
  if (!KEEPS_SAID.has(name)) ctx.view.getState().say(null);
  actions[name].run(ctx);
}

export function runAction(ctx: ActionContext, name: ActionName) {
  perform(ctx, name);
}

const NAV = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);
const PRESS = new Set([' ', 'Enter']);

/** Whether the focused control needs this key itself. Text fields take every key; a checkbox or
 * button keeps focus after a click but uses only Space and Enter, and a slider or list box only its
 * navigation keys, so every other key stays a shortcut. */
export function keyBelongsTo(t: EventTarget | null, key: string): boolean {
  if (!t || !(t as HTMLElement).tagName) return false;
  const el = t as HTMLElement;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  if (el.tagName === 'SELECT') return NAV.has(key) || PRESS.has(key);
  if (el.tagName === 'BUTTON' || el.tagName === 'SUMMARY' || el.tagName === 'A') return PRESS.has(key);
  if (el.tagName !== 'INPUT') return false;
  const type = (el as HTMLInputElement).type;
  if (['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color', 'image'].includes(type)) return PRESS.has(key);
  if (type === 'range') return NAV.has(key);
  return true;
}

/** A field that takes typing or a choice (text, number, date, a select): Enter there is the field's. */
function takesInput(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el?.tagName && (el.tagName === 'SELECT' || keyBelongsTo(el, 'x'));
}

/** The event as the key tests read it: a letter in lower case, since Caps Lock (or Shift) gives "U" where
 * the sheet says U and the test reads 'u'. Shift+digit is unaffected: those tests read e.code and Shift. */
function caseless(e: KeyboardEvent): KeyboardEvent {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return key === e.key ? e : ({ key, code: e.code, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey } as KeyboardEvent);
}

/** A modal dialog open over the app (the report preview, or another feature's): keys must not act
 * behind it. */
const modalOpen = (ctx: ActionContext) =>
  ctx.view.getState().reportOpen || !!document.querySelector('dialog[open], [role="dialog"][aria-modal="true"]');

export function handleKey(ctx: ActionContext, e: KeyboardEvent) {
  if (e.defaultPrevented) return;
  // Esc closes the report preview even from one of its text fields.
  if (e.key === 'Escape' && ctx.view.getState().reportOpen) {
    e.preventDefault();
    ctx.view.getState().setReportOpen(false);
    return;
  }
  if (modalOpen(ctx)) return;
  // Draw mode armed (N), Enter places the box whatever button, link or list has the focus: a keyboard user
  // always has one focused, and its Enter (Add images reopened the file chooser) took the placement. Only a
  // field that takes text or a choice keeps its Enter.
  const im = ctx.store.getState().currentId ? ctx.store.getState().images[ctx.store.getState().currentId!] : undefined;
  const placing = e.key === 'Enter' && !mod(e) && ctx.view.getState().mode === 'draw' && im?.status === 'done' && !takesInput(e.target);
  if (!placing && keyBelongsTo(e.target, e.key)) return;
  const probe = caseless(e);
  const name = (Object.keys(actions) as ActionName[]).find((n) => actions[n].keyTest(probe));
  if (name) {
    e.preventDefault();
    // the key sheet gives way to the work: it covered the canvas and the box a key had just selected
    if (name !== 'help' && ctx.view.getState().helpOpen) ctx.view.getState().setHelpOpen(false);
    perform(ctx, name);
  }
}

