import { describe, expect, it } from 'vitest';
import { addBox, deleteBox, moveBox, relabelBox } from '../core/edits/commands';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import type { Detection } from '../core/detection/detection';
import { backAtWithdrawnRelease, releaseRevision, restoredWithdrawal, watchRelease } from './release';
import { modelsInUse, type ModelsInUse } from './modelSlice';
import { parseClassifierCard } from '../core/differential/card';
import wbcCardJson from '../../models/smearcount-wbc.json';
import { createAppStore, type AppStore } from './store';
import { selectDifferentialState, shownDetections } from './selectors';
import { leftOutWords, scaleUsed, selectEditSummary, selectLeftOutBoxes } from './report';
import { editWords } from '../core/edits/summary';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const det = (id: string, cls: Detection['cls'], x: number, score = 0.9): Detection => ({ id, cls, score, box: { x1: x, y1: 100, x2: x + 40, y2: 140 }, origin: 'model' });

function batch() {
  const store = createAppStore(defaults);
  const st = store.getState();
  st.setModel({ status: 'ready' });
  for (const id of ['a', 'b']) {
    st.addImage({ id, name: `${id}.jpg`, bytes: 10 });
    st.updateImage(id, { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0), det('m1', 'RBC', 100), det('m2', 'WBC', 200)], wbc: { m2: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
  }
  st.updateImage('b', { quality: { flags: ['out-of-focus'] } as never });
  return store;
}

function released() {
  const store = batch();
  watchRelease(store);
  store.getState().setSample({ id: 'S-1', operator: 'AB' });
  store.getState().releaseReport('AB');
  expect(store.getState().sample.verifiedAt).not.toBeNull();
  return store;
}

const withdrawal = (store: AppStore) => store.getState().audit.filter((e) => e.field === 'release' && e.action === 'withdraw').map((e) => e.to);

describe('release', () => {
  it('is recorded in the audit trail with the revision it rests on', () => {
    const store = released();
    const s = store.getState();
    expect(s.sample.releasedRevision).toBe(releaseRevision(s));
    // from the state before to the state after, as every other entry (it held the verifier in from before)
    expect(s.audit.at(-1)).toMatchObject({ action: 'release', field: 'release', from: 'not released', to: `released by AB · revision ${s.sample.releasedRevision}` });
  });

  it('is withdrawn when the lab name that heads every printed page changes (audit 2026-12-06, release)', () => {
    const store = released();
    // the same name, or spaces round it (the page frame trims them), changes nothing printed
    store.getState().setLabName('');
    store.getState().setLabName('  ');
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    store.getState().setLabName('City Lab');
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(store.getState().sample.withdrawn).toBe('lab name changed (none → City Lab)');
    expect(withdrawal(store)).toEqual(['withdrawn: lab name changed (none → City Lab)']);
    // named before the release, it is part of what was released
    store.getState().releaseReport('AB');
    store.getState().setLabName('City Lab');
    expect(store.getState().sample.verifiedAt).not.toBeNull();
  });

  it('takes the verifier\'s name with it: a corrected report is signed again, not released in the name of whoever signed the first (audit 2026-12-06, release)', () => {
    const store = released();
    store.getState().setSample({ verifiedBy: 'AB' });
    expect(store.getState().sample.verifiedBy).toBe('AB');
    store.getState().edit('a', deleteBox, { id: 'm0' });
    expect(store.getState().sample).toMatchObject({ verifiedAt: null, verifiedBy: '' });
    // the trail keeps who signed what was withdrawn
    expect(store.getState().audit.at(-1)).toMatchObject({ action: 'withdraw', from: expect.stringMatching(/^released by AB at /) });
    // typing in "Verified by" on a released report withdraws it and keeps what is typed
    store.getState().setSample({ verifiedBy: 'CD' });
    store.getState().releaseReport('CD');
    store.getState().setSample({ verifiedBy: 'CDE' });
    expect(store.getState().sample).toMatchObject({ verifiedAt: null, verifiedBy: 'CDE', withdrawn: 'sample record changed (verifiedBy)' });
  });

  it('names in the audit trail the revision each release signed and each withdrawal took back (audit 2026-12-06, release)', () => {
    // the trail said "released by AB" twice: which figures the first and the second release rested on, it did not say
    const store = released();
    const first = store.getState().sample.releasedRevision;
    store.getState().edit('a', deleteBox, { id: 'm0' });
    store.getState().releaseReport('AB');
    const second = store.getState().sample.releasedRevision;
    expect(second).not.toBe(first);
    const trail = store.getState().audit.filter((e) => e.field === 'release').map((e) => [e.action, e.from, e.to]);
    expect(trail).toEqual([
      ['release', 'not released', `released by AB · revision ${first}`],
      ['withdraw', expect.stringMatching(new RegExp(`^released by AB at \\S+ · revision ${first}$`)), 'withdrawn: a.jpg: RBC box deleted, top left at x 20, y 120'],
      // a correction of the release withdrawn (the report and every export say CORRECTED)
      ['release', 'not released', `released by AB · revision ${second} · corrects revision ${first}`],
    ]);
  });

  it('stays withdrawn after an undo, but says the figures are again those released (audit 2026-12-05, second)', () => {
    const store = released();
    expect(backAtWithdrawnRelease(store.getState())).toBe(false);
    store.getState().edit('a', deleteBox, { id: 'm0' });
    expect(store.getState().sample.withdrawn).toMatch(/RBC box deleted/);
    expect(backAtWithdrawnRelease(store.getState())).toBe(false);
    store.getState().undo();
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(backAtWithdrawnRelease(store.getState())).toBe(true);
    store.getState().redo();
    expect(backAtWithdrawnRelease(store.getState())).toBe(false);
    // released again: nothing withdrawn to be back at
    store.getState().undo();
    store.getState().releaseReport('AB');
    expect(backAtWithdrawnRelease(store.getState())).toBe(false);
  });

  const changes: [string, (s: AppStore) => void, RegExp][] = [
    ['a box deleted', (s) => s.getState().edit('a', deleteBox, { id: 'm0' }), /a\.jpg: RBC box deleted, top left at x 20, y 120$/],
    ['a box under the threshold left out', (s) => s.getState().edit('a', deleteBox, { id: 'm9' }), /a\.jpg: box deleted$/],
    ['a box added', (s) => s.getState().edit('a', addBox, { cls: 'Platelets', box: { x1: 400, y1: 10, x2: 420, y2: 30 }, width: 640, height: 480 }), /a\.jpg: Platelets box added, box 1 of 4 in reading order, top at x 410, y 20$/],
    ['a box moved', (s) => s.getState().edit('a', moveBox, { id: 'm1', box: { x1: 110, y1: 100, x2: 150, y2: 140 }, width: 640, height: 480 }), /a\.jpg: RBC box moved, box 2 of 3 in reading order, top left at x 130, y 120$/],
    // a drag at a high zoom moves a box by a fraction of a pixel: the exports carry the new place (the audit trail logs the move)
    ['a box moved by a fraction of a pixel', (s) => s.getState().edit('a', moveBox, { id: 'm1', box: { x1: 100.3, y1: 100, x2: 140.3, y2: 140 }, width: 640, height: 480 }), /a\.jpg: RBC box moved, box 2 of 3 in reading order/],
    ['a box relabelled', (s) => s.getState().edit('a', relabelBox, { id: 'm1', cls: 'Platelets' }), /a\.jpg: box relabelled RBC → Platelets, box 2 of 3 in reading order, top left at x 120, y 120$/],
    ['a WBC type', (s) => s.getState().edit('a', reclassifyCell, { id: 'm2', to: 'monocyte' }), /a\.jpg: WBC type changed neutrophil → monocyte, box 3 of 3 in reading order, top at x 220, y 120$/],
    ['a verification', (s) => s.getState().edit('a', verifyCells, { ids: ['m2'], verified: true }), /a\.jpg: WBC verified, box 3 of 3 in reading order, top at x 220, y 120$/],
    ['a threshold', (s) => s.getState().setThreshold('RBC', 0.6), /RBC threshold changed \(0\.5 → 0\.6\)/],
    ['the count rule', (s) => s.getState().setCountRule('interior'), /count rule changed \(all → interior\)/],
    ['the differential target', (s) => s.getState().setDiffRules({ target: 200 }), /differential rules changed \(target 100 → 200\)/],
    ['an image added', (s) => s.getState().addImage({ id: 'c', name: 'c.jpg', bytes: 1 }), /image added: c\.jpg/],
    // a file refused at the drop (damaged, not an image): the report names it among the files not in its figures
    ['a file refused at the drop', (s) => s.getState().refuseFile('c.jpg', 'The image could not be decoded.'), /file not counted: c\.jpg/],
    ['an image removed', (s) => s.getState().removeImage('a'), /image removed: a\.jpg/],
    ['an image the technician removed', (s) => s.getState().discardImage('a'), /image removed: a\.jpg/],
    ['a flagged image accepted', (s) => s.getState().acceptFlags('b', true), /b\.jpg: flagged image accepted/],
    // the report prints them ("Boxes reviewed on 1 of 2 images", Appendix A's Reviewed): the release signed the marks it saw
    ['a review mark', (s) => s.getState().setReviewed('a', true), /a\.jpg: marked reviewed$/],
    ['the sample record', (s) => s.getState().setSample({ notes: 'haemolysed' }), /sample record changed \(notes\)/],
    // the rest of what the report prints, each changed after a release (audit 2026-12-07, release)
    ['a smear estimate factor', (s) => s.getState().setEstimateFactor('WBC', 2000), /smear estimate factor changed$/],
    ['the NMS overlap', (s) => s.getState().setNmsIou(0.6), /NMS setting changed$/],
    ['NMS across classes', (s) => s.getState().setCrossClassNms(true), /NMS setting changed$/],
    ['the reference intervals', (s) => s.getState().setReference({ ...s.getState().reference, source: 'Children' }), /reference intervals changed$/],
    ["the analyser's WBC count (the absolute counts, NRBC-corrected)", (s) => s.getState().setSample({ wbcCount: 7.5 }), /sample record changed \(wbcCount\)$/],
    ['the reason for a short differential', (s) => s.getState().setSample({ shortReason: 'leukopenia' }), /sample record changed \(shortReason\)$/],
    ['the operator', (s) => s.getState().setSample({ operator: 'CD' }), /sample record changed \(operator\)$/],
    // the Method's "Magnification: …" (audit 2026-12-07, release): set by hand after the release, the line said
    // the new setting and the images not counted at it, and the release stood
    ['a magnification set by hand', (s) => s.getState().setFixedScale(2), /magnification changed \(“estimated per image” → “set by hand: cells look 2× smaller than usual, counted at 2× zoom”\)$/],
  ];
  for (const [what, change, reason] of changes) {
    it(`is withdrawn by ${what}, and the audit trail says why`, () => {
      const store = released();
      change(store);
      expect(store.getState().sample.verifiedAt).toBeNull();
      expect(store.getState().sample.withdrawn).toMatch(reason);
      // a technician's words: where the cell is, never its internal id (m11), which only the audit's cell field keeps
      expect(store.getState().sample.withdrawn).not.toMatch(/\b(cell|[mu]\d+)\b/);
      expect(withdrawal(store)).toHaveLength(1);
      expect(withdrawal(store)[0]).toMatch(reason);
      // the change first, then the withdrawal it caused
      expect(store.getState().audit.at(-1)).toMatchObject({ field: 'release', action: 'withdraw' });
      // and the main window says so, in the notices
      const said = store.getState().notices.filter((n) => n.source === 'release').map((n) => n.message);
      expect(said).toHaveLength(1);
      expect(said[0]).toContain(`withdrawn (${store.getState().sample.withdrawn})`);
      store.getState().releaseReport('A. Tech');
      expect(store.getState().notices.filter((n) => n.source === 'release')).toEqual([]);
    });
  }

  it('records a verification that locks the model\'s type as a verification only, and a later change from that type', () => {
    const store = batch();
    store.getState().edit('a', verifyCells, { ids: ['m2'], verified: true, types: { m2: 'neutrophil' } });
    expect(store.getState().images.a.edits.typed).toEqual({ m2: 'neutrophil' });
    // before: a second entry, "type: null → neutrophil", as if the cell had had no type
    expect(store.getState().audit.filter((e) => e.cell === 'm2').map(({ field, from, to }) => ({ field, from, to }))).toEqual([{ field: 'verified', from: 'no', to: 'yes' }]);
    store.getState().edit('b', reclassifyCell, { id: 'm2', to: 'monocyte' });
    // a type set by hand verifies the cell too: two entries, the type's from the model's type
    expect(store.getState().audit.find((e) => e.image === 'b.jpg' && e.field === 'type')).toMatchObject({ from: 'neutrophil', to: 'monocyte' });
  });

  it('says which way a yes/no change went ("deleted box restored"), not "yes → no"', () => {
    const store = batch();
    store.getState().edit('a', deleteBox, { id: 'm0' });
    watchRelease(store);
    store.getState().setSample({ id: 'S-1', operator: 'AB' });
    store.getState().releaseReport('AB');
    store.getState().undo();
    expect(withdrawal(store)[0]).toBe('withdrawn: a.jpg: deleted RBC box restored, box 1 of 3 in reading order, top left at x 20, y 120');
  });

  it('is kept by what the report does not rest on (selection, accepted boxes, a same-value setting)', () => {
    const store = released();
    const st = store.getState();
    st.select('b');
    st.acceptBox('a', 'm1');
    st.setThreshold('RBC', 0.5);
    st.setSample({ id: 'S-1' });
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    expect(withdrawal(store)).toHaveLength(0);
  });

  it('is a revision of the content: the same batch rebuilt (a reload) has the same revision', () => {
    const a = batch();
    const b = batch();
    expect(releaseRevision(b.getState())).toBe(releaseRevision(a.getState()));
    b.getState().edit('a', deleteBox, { id: 'm0' });
    expect(releaseRevision(b.getState())).not.toBe(releaseRevision(a.getState()));
  });

  it('logs an image the technician removed, with what it counted, before the withdrawal it causes', () => {
    const store = released();
    store.getState().discardImage('a');
    const s = store.getState();
    expect(s.order).toEqual(['b']);
    expect(s.images.a).toBeUndefined();
    const tail = s.audit.slice(-2);
    expect(tail[0]).toMatchObject({ action: 'remove-image', field: 'image', image: 'a.jpg', cell: '', from: 'RBC 2, WBC 1, PLT 0', to: 'removed' });
    expect(tail[1]).toMatchObject({ action: 'withdraw', field: 'release', to: 'withdrawn: image removed: a.jpg' });
    // an image not in the batch: nothing happens
    store.getState().discardImage('zz');
    expect(store.getState().audit).toHaveLength(s.audit.length);
  });

  it('is withdrawn when the microscope profile moves a type under the unsure bar without changing the type (audit 2026-12-06, differential)', () => {
    const store = released();
    const report = () => selectDifferentialState(store.getState(), 0.6);
    expect(report()).toMatchObject({ unverified: 1, unsure: 0 });
    // the profile's head written again with the same numbers (a reload, a refit on the same cells): no change
    store.getState().updateImage('a', { adapted: { m2: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    // an imported profile: still a neutrophil, now at 0.55, under the card's bar. The report's kept-apart line
    // reads '1 unsure' where the released one read none; before, the release stood
    store.getState().updateImage('a', { adapted: { m2: [0.55, 0.4, 0.02, 0.01, 0.01, 0.005, 0.005] } });
    expect(report()).toMatchObject({ unverified: 1, unsure: 1 });
    expect(shownDetections(store.getState().images.a, store.getState().postprocess).find((d) => d.id === 'm2')?.wbc?.type).toBe('neutrophil');
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(withdrawal(store)).toEqual(['withdrawn: a.jpg: WBC type probabilities changed (classifier or microscope profile), which the unsure marks rest on']);
    // released again on the new reading, a profile that changes the type says so
    store.getState().releaseReport('AB');
    store.getState().updateImage('a', { adapted: { m2: [0.3, 0.6, 0.02, 0.02, 0.03, 0.02, 0.01] } });
    expect(withdrawal(store).at(-1)).toBe('withdrawn: a.jpg: WBC types changed (classifier or microscope profile)');
  });

  it('says which differential rule changed: the basis of the % alone is not a target changed "100 → 100" (audit 2026-12-06, differential)', () => {
    const store = released();
    // the same rules again: nothing changed
    store.getState().setDiffRules({ target: 100 });
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    store.getState().setDiffRules({ basis: 'all' });
    expect(withdrawal(store)).toEqual(['withdrawn: differential rules changed (% on verified cells → every typed cell)']);
    store.getState().setDiffRules({ basis: 'verified' });
    store.getState().releaseReport('AB');
    store.getState().setDiffRules({ target: 200 });
    expect(withdrawal(store).at(-1)).toBe('withdrawn: differential rules changed (target 100 → 200)');
  });

  it('is withdrawn when an image gets a quality flag that keeps it in the totals, or annotations are loaded: the report prints both (audit 2026-12-06, report)', () => {
    // b.jpg (out of focus) is out of the totals; a.jpg judged again (a later rule) as of unfamiliar colour stays
    // in them, so no figure moved, but page 1's "Flagged images" and Appendix A now named it: the release stood
    const store = released();
    store.getState().updateImage('a', { quality: { flags: ['unfamiliar-colour'] } as never });
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(store.getState().sample.withdrawn).toBe('a.jpg: quality flags changed (none → colour?)');
    // the same flags in another order are the same report
    store.getState().releaseReport('AB');
    store.getState().updateImage('b', { quality: { flags: ['out-of-focus'] } as never });
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    // annotations loaded after the release add Appendix B's "Agreement with the loaded annotations" line
    store.getState().updateImage('a', { gt: [{ cls: 'RBC', box: { x1: 0, y1: 100, x2: 40, y2: 140 } }] });
    expect(store.getState().sample.withdrawn).toBe("a.jpg: annotations loaded (the report's agreement with them)");
  });

  it('is withdrawn by a magnification set by hand that the counted images were not counted at, and kept by setting back the one they were (audit 2026-12-07, release)', () => {
    const store = batch();
    // both images counted at a magnification set by hand: cells look 2× smaller
    for (const id of ['a', 'b']) store.getState().updateImage(id, { scale: { used: 2, relative: 2, estimated: null, passes: 1, fixed: true, requested: 2 } });
    store.getState().setFixedScale(2);
    watchRelease(store);
    store.getState().setSample({ id: 'S-1' });
    store.getState().releaseReport('AB');
    expect(store.getState().sample.releasedScale).toBe('set by hand: cells look 2× smaller than usual, counted at 2× zoom');
    // the same setting again: nothing printed changes
    store.getState().setFixedScale(2);
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    store.getState().setFixedScale(1.25);
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(store.getState().sample.withdrawn).toBe(
      'magnification changed (“set by hand: cells look 2× smaller than usual, counted at 2× zoom” → “set by hand: cells look 2× smaller than usual, counted at 2× zoom; the setting is now “set by hand: cells look 1.25× smaller than usual, counted at 1.25× zoom”, not applied to 1 of 1 image in the counts until it is counted again”)',
    );
    // set back: the figures are those released again, and the release stays withdrawn, saying so
    store.getState().setFixedScale(2);
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(backAtWithdrawnRelease(store.getState())).toBe(true);
  });

  it('while the microscope profile (whose setting the magnification is) is not read after a reload, the line released stands in; once read, it is checked (audit 2026-12-07, release)', () => {
    const first = released();
    first.getState().setFixedScale(2);
    first.getState().releaseReport('AB');
    const sample = first.getState().sample;
    // the reload: the batch and the record are back, the profile's setting not yet
    const second = batch();
    second.getState().setAdaptation({ loaded: false });
    second.setState({ sample });
    expect(second.getState().fixedScale).toBeNull();
    expect(releaseRevision(second.getState())).toBe(sample.releasedRevision);
    watchRelease(second);
    second.getState().setFixedScale(2);
    second.getState().setAdaptation({ loaded: true });
    expect(second.getState().sample).toMatchObject({ verifiedAt: sample.verifiedAt, withdrawn: '' });
    // the profile read with another setting than the one released (a setting that never reached the disk)
    const third = batch();
    third.getState().setAdaptation({ loaded: false });
    third.setState({ sample });
    watchRelease(third);
    third.getState().setAdaptation({ loaded: true });
    expect(third.getState().sample.withdrawn).toMatch(/^magnification changed \(“set by hand: cells look 2× smaller than usual, counted at 2× zoom” → “estimated per image”\)$/);
  });

  it('made while the microscope profile is still read after a reload, records the lines the report printed then, not those of the release withdrawn before (audit 2026-12-07, release)', () => {
    // released on "estimated per image", withdrawn by a magnification set by hand
    const store = released();
    store.getState().setFixedScale(2);
    expect(store.getState().sample.verifiedAt).toBeNull();
    // the page reloaded, the profile not read yet (its setting is in force): released again at once
    store.getState().setAdaptation({ loaded: false });
    store.getState().releaseReport('AB');
    expect(store.getState().sample.releasedScale).toBe(scaleUsed(store.getState()).words);
    // the profile read, nothing changed: the release stands (it recorded the earlier release's line, and was
    // withdrawn as the profile was read, saying the magnification had changed)
    store.getState().setAdaptation({ loaded: true });
    expect(store.getState().sample).toMatchObject({ withdrawn: '', releasedScale: 'set by hand: cells look 2× smaller than usual, counted at 2× zoom' });
    expect(store.getState().sample.verifiedAt).not.toBeNull();
  });

  describe('made with the models loaded (audit 2026-12-07, release: the unsure bar comes with the classifier)', () => {
    const models = (lowConfidence = 0.6, sha = 'c'.repeat(64), name = 'smearcount-wbc'): ModelsInUse => ({ detector: { name: 'smearcount-det', sha256: 'd'.repeat(64) }, classifier: { name, sha256: sha, lowConfidence, codes: ['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'IG', 'NRBC'] } });
    /** A release made under `was`, restored on a page that loaded `now` (an update of the app in between). */
    function restore(was: ModelsInUse, now: ModelsInUse | null) {
      const first = batch();
      first.getState().setModels(was);
      first.getState().setSample({ id: 'S-1' });
      first.getState().releaseReport('AB');
      const sample = first.getState().sample;
      expect(sample.releasedModels).toEqual(was);
      const second = batch();
      if (now) second.getState().setModels(now);
      second.setState({ sample });
      return { sample, second: second.getState() };
    }

    it('a release restored under the same models is the same revision', () => {
      const { sample, second } = restore(models(), models());
      expect(releaseRevision(second)).toBe(sample.releasedRevision);
    });

    it('the same classifier with another unsure bar in its card: m2 (p 0.9) is unsure under 0.95, and the release says so on restore', () => {
      const { sample, second } = restore(models(0.6), models(0.95));
      // a.jpg's WBC (b.jpg, out of focus, is out of the totals): kept apart as unsure under the new bar
      expect(selectDifferentialState(second, 0.95).unsure).toBe(1);
      expect(selectDifferentialState(second, 0.6).unsure).toBe(0);
      expect(releaseRevision(second)).not.toBe(sample.releasedRevision);
      expect(restoredWithdrawal(second)).toBe('made with another unsure bar for the WBC types (smearcount-wbc: under 0.6 → under 0.95): release it again');
    });

    it('another classifier, or none (?differential=off), names both', () => {
      const other = restore(models(0.6), models(0.6, 'e'.repeat(64), 'smearcount-wbc-2'));
      expect(releaseRevision(other.second)).not.toBe(other.sample.releasedRevision);
      expect(restoredWithdrawal(other.second)).toBe(`made with another WBC classifier (smearcount-wbc, sha256 ${'c'.repeat(12)}…, unsure under 0.6 → smearcount-wbc-2, sha256 ${'e'.repeat(12)}…, unsure under 0.6): release it again`);
      const none = restore(models(), { ...models(), classifier: null });
      expect(releaseRevision(none.second)).not.toBe(none.sample.releasedRevision);
      expect(restoredWithdrawal(none.second)).toMatch(/^made with another WBC classifier \(smearcount-wbc, .* → none\)/);
    });

    it('another detector model is named the same way; a batch that differs otherwise says that', () => {
      const det = restore(models(), { ...models(), detector: { name: 'smearcount-det-2', sha256: 'f'.repeat(64) } });
      expect(restoredWithdrawal(det.second)).toMatch(/^made with another detector model \(smearcount-det, sha256 d{12}… → smearcount-det-2, sha256 f{12}…\): release it again$/);
      const same = restore(models(), models());
      expect(restoredWithdrawal(same.second)).toBe('the batch restored after a reload differs from the one released');
    });
  });

  it('is withdrawn on restore under a classifier card that changes only the WBC type codes the report prints (audit 2026-12-07, release)', () => {
    // the same model file, the same unsure bar: only the codes (the report's differential rows, the exports'
    // wbc_type codes) differ, as an update of the app could bring. The release read "Released" over a report
    // that now printed other codes than the one signed
    const card = { name: 'smearcount-det', sha256: 'd'.repeat(64) };
    const was = parseClassifierCard(wbcCardJson);
    const json = structuredClone(wbcCardJson) as { classes: { code: string }[] };
    json.classes[0].code = 'SEG';
    const now = parseClassifierCard(json);
    const first = batch();
    first.getState().setModels(modelsInUse(card, was));
    first.getState().setSample({ id: 'S-1' });
    first.getState().releaseReport('AB');
    const sample = first.getState().sample;
    const same = batch();
    same.getState().setModels(modelsInUse(card, parseClassifierCard(wbcCardJson)));
    same.setState({ sample });
    expect(releaseRevision(same.getState())).toBe(sample.releasedRevision);
    const second = batch();
    second.getState().setModels(modelsInUse(card, now));
    second.setState({ sample });
    expect(releaseRevision(second.getState())).not.toBe(sample.releasedRevision);
    expect(restoredWithdrawal(second.getState())).toBe('made with other WBC type codes (smearcount-wbc: neutrophil NEU → SEG): release it again');
  });

  it('is withdrawn when the classifier retypes a verified cell underneath, which turns the report\'s "changed by hand" line (audit 2026-12-07, release)', () => {
    // a verified cell keeps its type as a hand-set one (p 1): a profile imported or reset, or a refit landing after
    // the release, that moved the model's type under it left every shown box as released, but the report's
    // "Changed by hand: … 1 WBC reclassified", Appendix A's Edited column and the exports' edits now said another
    // thing than the paper signed, under "Released"
    const store = batch();
    store.getState().edit('a', verifyCells, { ids: ['m2'], verified: true, types: { m2: 'neutrophil' } });
    watchRelease(store);
    store.getState().setSample({ id: 'S-1' });
    store.getState().releaseReport('AB');
    expect(editWords(selectEditSummary(store.getState()))).toBe('');
    store.getState().updateImage('a', { wbc: { m2: [0.02, 0.9, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    expect(editWords(selectEditSummary(store.getState()))).toBe('1 WBC reclassified');
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(store.getState().sample.withdrawn).toBe('a.jpg: what the report says was changed by hand changed (nothing → 1 WBC reclassified)');
  });

  it('names a file refused again for another reason, which the report then lists twice (audit 2026-12-07, release)', () => {
    const store = batch();
    store.getState().refuseFile('c.jpg', 'The image could not be decoded.');
    watchRelease(store);
    store.getState().setSample({ id: 'S-1' });
    store.getState().releaseReport('AB');
    // the same refusal again: nothing new on the report
    store.getState().refuseFile('c.jpg', 'The image could not be decoded.');
    expect(store.getState().sample.verifiedAt).not.toBeNull();
    store.getState().refuseFile('c.jpg', 'The file is too large.');
    expect(store.getState().refused.map((r) => r.name)).toEqual(['c.jpg', 'c.jpg']);
    // before: "the batch changed"
    expect(store.getState().sample.withdrawn).toBe('file not counted: c.jpg');
  });

  it('is withdrawn when a box the report names as left out changes why (a speck no longer, still cut by the border): the report prints both (audit 2026-12-07, release)', () => {
    // a.jpg's m0 touches the left edge: under "cut cells excluded" the count rule leaves it out, and the debris
    // rule took it for an unstained speck first. Judged again (a later debris rule, at a reload), it is no speck:
    // no figure moves, but the report's "Found by the detector … but not counted" moved it from one reason to
    // the other, under a release that stood
    const store = batch();
    store.getState().setCountRule('interior');
    store.getState().updateImage('a', { quality: { flags: [], debris: ['m0'] } as never });
    watchRelease(store);
    store.getState().setSample({ id: 'S-1' });
    store.getState().releaseReport('AB');
    const words = () => leftOutWords(selectLeftOutBoxes(store.getState()), 'interior');
    expect(words()).toContain('1 RBC taken for an unstained speck');
    store.getState().updateImage('a', { quality: { flags: [], debris: [] } as never });
    expect(words()).toContain('1 RBC cut by the image border');
    expect(store.getState().sample.verifiedAt).toBeNull();
    expect(store.getState().sample.withdrawn).toBe('a.jpg: boxes left out as specks changed (on the camera or lens 0 → 0, unstained 1 → 0)');
    // and a speck on the optics, the same way
    store.getState().releaseReport('AB');
    store.getState().updateImage('a', { optics: ['m0'] });
    expect(store.getState().sample.withdrawn).toBe('a.jpg: boxes left out as specks changed (on the camera or lens 0 → 1, unstained 0 → 0)');
  });

  it('rests on the lab name, so that a release restored under another (a rename that reached the record but not the lab settings) is caught on restore (audit 2026-12-07, release)', () => {
    // the record's synchronous copy is written at every change; the lab's name goes to IndexedDB 200 ms later
    // (or a journal on pagehide): renamed, released, and the page gone in between, a reload read "Released"
    // under the old name, which the revision did not cover
    const first = released();
    first.getState().setLabName('City Lab');
    first.getState().releaseReport('AB');
    const sample = first.getState().sample;
    const back = batch();
    back.setState({ sample });
    expect(back.getState().labName).toBe('');
    expect(releaseRevision(back.getState())).not.toBe(sample.releasedRevision);
    back.getState().setLabName('City Lab');
    expect(releaseRevision(back.getState())).toBe(sample.releasedRevision);
    // spaces round it print nothing else (the page frame trims them)
    back.getState().setLabName(' City Lab ');
    expect(releaseRevision(back.getState())).toBe(sample.releasedRevision);
  });

  it('needs a sample ID', () => {
    const store = batch();
    store.getState().releaseReport('AB');
    expect(store.getState().sample.verifiedAt).toBeNull();
  });
});
