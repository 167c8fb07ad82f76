/**
 * The exports carry the report: from a real store state (images counted by two engines, one captured live,
 * one flagged and left out, edits, verified cells, a release), the counts CSV, the boxes CSV and the JSON
 * say what the report prints, read through the same selectors.
 */
import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { deleteBox } from '../core/edits/commands';
import { editWords } from '../core/edits/summary';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import { boxesCsv, boxesJson, cocoJson, countsCsv, pngFooter, releaseLine, sampleFooter, vocFiles } from '../core/formats/exports';
import { parseVoc } from '../core/formats/voc';
import { uniqueNames } from '../core/formats/names';
import { isoLocal } from '../core/formats/isoLocal';
import { csvWithSample, provenanceText } from '../core/formats/sample';
import { printedDifferential } from '../core/differential/rules';
import { watchRelease } from './release';
import { countInterval } from '../core/counts/estimate';
import { adaptationWords, classifierWords, detectorWords, enginesWords, exportRelease, exportSample, leftOutWords, notCountedRows, notCountedWords, NUMBER_FORMAT, otherClassifiers, otherDetectors, releaseState, reportJson, scaleUsed, selectAdaptation, selectEditsApart, selectEditSummary, selectEngines, handEditsWords, secondPassWords, selectLeftOutBoxes, selectNotCounted, selectPrinted } from './report';
import { selectDifferentialState, selectExportImages, selectSummary } from './selectors';
import { createAppStore, type AppStore } from './store';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const det = (id: string, cls: Detection['cls'], x: number, y = 100): Detection => ({ id, cls, score: 0.9, box: { x1: x, y1: y, x2: x + 40, y2: y + 40 }, origin: 'model' });
const NEU = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
const LOW = 0.6;
const CAPTURED = '2026-12-05T08:41:07.000Z';

function batch(): AppStore {
  const store = createAppStore(defaults);
  const st = store.getState();
  st.setModel({ status: 'ready', backend: 'wasm-threads', threads: 2 });
  st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
  // a.jpg: two RBCs, two WBCs (neutrophils to the model), a platelet and a WBC cut by the left border
  st.updateImage('a', { status: 'done', width: 640, height: 480, engine: { backend: 'wasm', threads: 1 }, raw: [det('m0', 'RBC', 100), det('m1', 'RBC', 200), det('m2', 'WBC', 300), det('m3', 'WBC', 400), det('m4', 'Platelets', 0), det('m5', 'WBC', 0, 300)], wbc: { m2: NEU, m3: NEU, m5: NEU } });
  st.addImage({ id: 'b', name: 'live-0001.jpg', bytes: 10, capture: { source: 'live', at: CAPTURED } });
  st.updateImage('b', { status: 'done', width: 640, height: 480, engine: { backend: 'wasm-threads', threads: 2 }, raw: [det('m0', 'RBC', 100), det('m1', 'WBC', 300), det('m2', 'WBC', 400)], wbc: { m1: NEU, m2: NEU } });
  // a grid: not a smear, not accepted, so in no total
  st.addImage({ id: 'c', name: 'grid.png', bytes: 10 });
  st.updateImage('c', { status: 'done', width: 640, height: 480, engine: { backend: 'wasm-threads', threads: 2 }, raw: [det('m0', 'RBC', 100)], quality: { flags: ['not-smear'] } as never });
  // edits: a box deleted, a WBC reclassified, the others verified, one set apart as "other" with a note
  st.edit('a', deleteBox, { id: 'm0' });
  st.edit('a', reclassifyCell, { id: 'm2', to: 'lymphocyte' });
  st.edit('a', verifyCells, { ids: ['m3'], verified: true, types: { m3: 'neutrophil' } });
  st.edit('b', verifyCells, { ids: ['m1'], verified: true, types: { m1: 'neutrophil' } });
  st.edit('b', reclassifyCell, { id: 'm2', to: 'other', note: 'blast?' });
  st.setCountRule('interior');
  return store;
}

function released() {
  const store = batch();
  watchRelease(store);
  store.getState().setSample({ id: 'S-9', operator: 'AB', wbcCount: 6 });
  store.getState().releaseReport('AB');
  return store;
}

const csvRows = (csv: string) => csv.trim().split('\r\n').map((l) => l.split(','));
/** RFC 4180 rows (a quoted cell may hold commas), for cells such as a withdrawal's reason. */
function csvCells(csv: string): string[][] {
  return csv.trim().split('\r\n').map((line) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += c;
    }
    return [...cells, cell];
  });
}
const countsOf = (store: AppStore) => {
  const s = store.getState();
  return csvRows(countsCsv(selectExportImages(s), { release: exportRelease(s.sample), differential: selectDifferentialState(s, LOW), shortReason: s.sample.shortReason }));
};

describe('the exports carry the released report', () => {
  it('counts CSV: the release on every row, each image its engine, source, capture time and edits; the differential row is the report’s', () => {
    const store = released();
    const s = store.getState();
    const rows = countsOf(store);
    const col = (name: string) => rows[0].indexOf(name);
    const at = isoLocal(new Date(s.sample.verifiedAt!));
    for (const r of rows.slice(1)) {
      expect([r[col('report_state')], r[col('verified_by')], r[col('released_at')], r[col('release_revision')], r[col('withdrawn_reason')]]).toEqual(['released', 'AB', at, s.sample.releasedRevision, '']);
    }
    const [a, b, c] = rows.slice(1, 4);
    expect([a[0], a[col('engine')], a[col('source')], a[col('captured_at')], a[col('edits')]]).toEqual(['a.jpg', 'wasm x1', 'file', '', '1 box deleted; 1 WBC reclassified']);
    expect([b[0], b[col('engine')], b[col('source')], b[col('captured_at')]]).toEqual(['live-0001.jpg', 'wasm-threads x2', 'live', isoLocal(new Date(CAPTURED))]);
    expect([b[col('other')], b[col('smudge')], b[col('edits')]]).toEqual(['1', '0', '1 WBC set apart (smudge / other)']);
    // a flagged image not accepted: flags_accepted false; the others have no flag to accept
    expect([c[0], c[col('flags')], c[col('flags_accepted')], c[col('in_totals')]]).toEqual(['grid.png', 'not-smear', 'false', 'false']);
    expect([a[col('flags_accepted')], b[col('flags_accepted')]]).toEqual(['', '']);
    // TOTAL: the report's totals (the grid left out; the cut platelet left out by the count rule)
    const total = rows.find((r) => r[0] === 'TOTAL')!;
    const sum = selectSummary(s);
    expect([+total[1], +total[2], +total[3]]).toEqual([sum.totals.RBC, sum.totals.WBC, sum.totals.Platelets]);
    expect(sum.totals.Platelets).toBe(0);
    // the % row: the report's printed figures (3 verified cells: 2 neutrophils, 1 lymphocyte), as printed: one decimal
    const st = selectDifferentialState(s, LOW);
    const printed = printedDifferential(st, s.sample.wbcCount, s.reference, s.sample.shortReason);
    expect(printed.shown).toBe(true);
    const pct = rows.at(-1)!;
    expect(pct[0]).toBe('DIFFERENTIAL_%');
    expect(pct[col('neutrophil')]).toBe('66.7');
    expect(pct[col('lymphocyte')]).toBe('33.3');
    for (const r of printed.rows) expect(pct[col(r.type)], r.type).toBe(r.percentText);
    expect(pct[col('flags')]).toBe('report: 3 verified cells (target 100); fewer than the target: percentages imprecise; no reason given: no H/L flags; erythroblast per 100 WBC (outside the 100%)');
  });

  it('counts CSV: a released report that prints no differential gives no percentages either, and says why (audit 2026-12-07, report)', () => {
    // b.jpg's neutrophil not verified: 2 of 100 cells verified, 1 not yet. The report prints "Differential not
    // released" and '–' in every row, the JSON percent null; the CSV's DIFFERENTIAL_% row gave 50.0 / 50.0 on
    // rows that each said report_state released, the differential's only caveat in the flags column
    const store = batch();
    store.getState().edit('b', verifyCells, { ids: ['m1'], verified: false });
    watchRelease(store);
    store.getState().setSample({ id: 'S-9', wbcCount: 6 });
    store.getState().releaseReport('AB');
    const s = store.getState();
    expect(s.sample.verifiedAt).not.toBeNull();
    const printed = selectPrinted(s, LOW);
    expect(printed.shown).toBe(false);
    expect(reportJson(s, { lowConfidence: LOW }).differential!.rows.every((r) => r.percent === null)).toBe(true);
    const rows = csvCells(countsCsv(selectExportImages(s), { release: exportRelease(s.sample), differential: selectDifferentialState(s, LOW), printed }));
    const col = (name: string) => rows[0].indexOf(name);
    const pct = rows.find((r) => r[0] === 'DIFFERENTIAL_%')!;
    expect(pct[col('report_state')]).toBe('released');
    for (const t of ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast']) expect(pct[col(t)], t).toBe('');
    expect(pct[col('flags')]).toBe('differential not released on the report: 2 of 100 cells verified, 1 not yet');
    // before the release the same row is the panel's working figures, marked preliminary, as before
    store.getState().edit('a', deleteBox, { id: 'm1' });
    const t = store.getState();
    expect(t.sample.verifiedAt).toBeNull();
    const before = csvCells(countsCsv(selectExportImages(t), { release: exportRelease(t.sample), differential: selectDifferentialState(t, LOW) })).find((r) => r[0] === 'DIFFERENTIAL_%')!;
    expect([before[col('neutrophil')], before[col('lymphocyte')], before[col('flags')]]).toEqual(['50.0', '50.0', 'preliminary: 2 verified cells of 100; 1 of 3 WBC types not verified; erythroblast per 100 WBC (outside the 100%)']);
  });

  it('counts CSV: a differential printed on fewer cells than the target says so, as the report does, with the technician\'s reason (audit 2026-12-07, report)', () => {
    // the report prints "Caution: … fewer than the target of 100; percentages are imprecise" and the reason (or
    // that no H/L flag is printed without one); the CSV's row said only "report: 3 verified cells (target 100)"
    const store = released();
    const pct = () => countsOf(store).find((r) => r[0] === 'DIFFERENTIAL_%')!;
    const flags = countsOf(store)[0].indexOf('flags');
    expect(pct()[flags]).toBe('report: 3 verified cells (target 100); fewer than the target: percentages imprecise; no reason given: no H/L flags; erythroblast per 100 WBC (outside the 100%)');
    store.getState().setSample({ shortReason: 'leukopenia' });
    expect(pct()[flags]).toBe('report: 3 verified cells (target 100); fewer than the target: percentages imprecise; reason: leukopenia; erythroblast per 100 WBC (outside the 100%)');
  });

  it('counts CSV: a row DIFFERENTIAL_FLAG gives the H / L the report prints beside its differential, and what they mean (audit 2026-12-07, report)', () => {
    // the report's Flag column read L beside the lymphocytes and "H (abs)" beside the neutrophils; the CSV had the
    // figures and no row that said which were outside the reference intervals
    const store = batch();
    watchRelease(store);
    const ref = store.getState().reference;
    // intervals 3 verified cells can call: 1 lymphocyte of 3 (33.3%) below 95–100%, 2 neutrophils of 3 (4.00 ×10⁹/L) above 0.01–0.02
    store.getState().setReference({ ...ref, percent: { ...ref.percent, lymphocyte: { low: 95, high: 100 } }, absolute: { ...ref.absolute, neutrophil: { low: 0.01, high: 0.02 } } });
    store.getState().setSample({ id: 'S-9', wbcCount: 6, shortReason: 'leukopenia' });
    store.getState().releaseReport('AB');
    const counts = () => {
      const t = store.getState();
      return csvCells(countsCsv(selectExportImages(t), { release: exportRelease(t.sample), differential: selectDifferentialState(t, LOW), shortReason: t.sample.shortReason, printed: selectPrinted(t, LOW) }));
    };
    let rows = counts();
    const col = (name: string) => rows[0].indexOf(name);
    const printed = selectPrinted(store.getState(), LOW);
    expect(printed.shown).toBe(true);
    const flag = rows.at(-1)!;
    expect([flag[0], flag[col('report_state')]]).toEqual(['DIFFERENTIAL_FLAG', 'released']);
    // each type's cell is the report's Flag column
    for (const r of printed.rows) expect(flag[col(r.type)], r.type).toBe(r.flagText);
    expect([flag[col('neutrophil')], flag[col('lymphocyte')]]).toEqual(['H (abs)', 'L']);
    expect(flag[col('flags')]).toBe(
      `H / L: above / below the reference interval in % (erythroblast: per 100 WBC); "(abs)": the ×10⁹/L interval; no interval set: immature_granulocyte; too few cells to call H/L: ${printed.rows.filter((r) => r.withheldText).map((r) => `${r.type} ${r.withheldText}`).join(', ')}`,
    );
    expect(rows.at(-2)![0]).toBe('DIFFERENTIAL_10E9_PER_L');
    // fewer cells than the target and no reason: the report prints no H/L, and the row says why
    store.getState().setSample({ shortReason: '' });
    rows = counts();
    const none = rows.find((r) => r[0] === 'DIFFERENTIAL_FLAG')!;
    for (const t of ['neutrophil', 'lymphocyte']) expect(none[col(t)], t).toBe('');
    expect(none[col('flags')]).toContain('; no H/L flags: fewer cells than the target and no reason given');
    // a differential the report does not print (a cell no longer verified): no flags, and no row
    store.getState().edit('b', verifyCells, { ids: ['m1'], verified: false });
    expect(selectPrinted(store.getState(), LOW).shown).toBe(false);
    expect(counts().some((r) => r[0] === 'DIFFERENTIAL_FLAG')).toBe(false);
  });

  it('counts CSV: a flagged image counted by the technician\'s choice says so (flags_accepted), and Undo takes it back', () => {
    const store = batch();
    store.getState().acceptFlags('c', true);
    let rows = countsOf(store);
    const col = (name: string) => rows[0].indexOf(name);
    const grid = () => rows.find((r) => r[0] === 'grid.png')!;
    expect([grid()[col('flags_accepted')], grid()[col('in_totals')]]).toEqual(['true', 'true']);
    expect(rows.find((r) => r[0] === 'TOTAL')![col('flags_accepted_images')]).toBe('1');
    expect(JSON.parse(boxesJson(selectExportImages(store.getState()))).find((im: { image: string }) => im.image === 'grid.png')).toMatchObject({ flags_accepted: true, in_totals: true });
    store.getState().undo();
    rows = countsOf(store);
    expect([grid()[col('flags_accepted')], grid()[col('in_totals')]]).toEqual(['false', 'false']);
  });

  it('counts CSV: preliminary, then withdrawn with the reason, and no verifier on either', () => {
    const store = batch();
    watchRelease(store);
    const rows = countsOf(store);
    const col = (name: string) => rows[0].indexOf(name);
    expect(rows[1].slice(col('report_state'))).toEqual(['preliminary', '', '', '', '', '']);
    store.getState().setSample({ id: 'S-9', operator: 'AB' });
    store.getState().releaseReport('AB');
    store.getState().edit('a', deleteBox, { id: 'm1' });
    const s = store.getState();
    const lines = countsCsv(selectExportImages(s), { release: exportRelease(s.sample), differential: selectDifferentialState(s, LOW) }).trim().split('\r\n');
    // the reason holds a comma: quoted; it names the cell by its place, not its id
    for (const l of lines.slice(1)) expect(l.endsWith(',withdrawn,,,,"a.jpg: RBC box deleted, top at x 220, y 120",')).toBe(true);
    expect(releaseState(store.getState().sample).kind).toBe('withdrawn');
  });

  it('boxes CSV and JSON: every box with whether it is counted and why not, and the WBC’s verification, category and note', () => {
    const s = released().getState();
    const images = selectExportImages(s);
    const rows = csvRows(boxesCsv(images));
    const col = (name: string) => rows[0].indexOf(name);
    expect(rows[0].slice(-11, -6)).toEqual(['counted', 'left_out', 'wbc_verified', 'wbc_category', 'wbc_note']);
    const of = (image: string, cls: string) => rows.filter((r) => r[0] === image && r[1] === cls);
    // the platelet cut by the border is drawn, not counted (the count rule)
    expect(of('a.jpg', 'Platelets').map((r) => [r[col('counted')], r[col('left_out')]])).toEqual([['false', 'count-rule']]);
    // the grid's box: its image is left out of the totals
    expect(of('grid.png', 'RBC').map((r) => [r[col('counted')], r[col('left_out')]])).toEqual([['false', 'image-not-in-totals']]);
    // the WBC cut by the border: drawn, not counted, with its type
    expect(of('a.jpg', 'WBC').map((r) => [r[col('counted')], r[col('left_out')], r[col('wbc_type')], r[col('wbc_verified')]])).toEqual([
      ['true', '', 'lymphocyte', 'true'],
      ['true', '', 'neutrophil', 'true'],
      ['false', 'count-rule', 'neutrophil', 'false'],
    ]);
    expect(of('live-0001.jpg', 'WBC').map((r) => [r[col('wbc_type')], r[col('wbc_category')], r[col('wbc_note')]])).toEqual([
      ['neutrophil', '', ''],
      ['other', 'other', 'blast?'],
    ]);
    // the cell a technician set apart as "other": no model p of "other" (the model has no such class), set by hand
    expect(of('live-0001.jpg', 'WBC').map((r) => [r[col('wbc_type')], r[col('wbc_p')], r[col('wbc_type_origin')]])).toEqual([
      ['neutrophil', '', 'manual'],
      ['other', '', 'manual'],
    ]);
    // the counted boxes are the counts CSV's
    const counted = rows.slice(1).filter((r) => r[col('counted')] === 'true');
    expect(counted.length).toBe(Object.values(selectSummary(s).totals).reduce((x, y) => x + y, 0));
    const json = JSON.parse(boxesJson(images)) as { image: string; engine: string; capture: { source: string; at: string } | null; edits: string; detections: { class: string; counted: boolean; left_out?: string }[] }[];
    expect(json[0].detections.find((d) => d.class === 'Platelets')).toMatchObject({ counted: false, left_out: 'count-rule' });
    expect(json[1]).toMatchObject({ image: 'live-0001.jpg', engine: 'wasm-threads x2', capture: { source: 'live', at: isoLocal(new Date(CAPTURED)) } });
    expect(json[0].edits).toBe('1 box deleted; 1 WBC reclassified');
  });

  it('boxes CSV, VOC, COCO and the PNG footer say the release, as the counts CSV does: preliminary, released, then withdrawn by an edit', () => {
    const store = batch();
    watchRelease(store);
    /** What each export says of the release, read back as a reader of that format would. */
    const said = () => {
      const s = store.getState();
      const rel = exportRelease(s.sample);
      const images = selectExportImages(s);
      const boxes = csvCells(boxesCsv(images, rel));
      const counts = csvCells(countsCsv(images, { release: rel, differential: selectDifferentialState(s, LOW) }));
      const cols = ['report_state', 'verified_by', 'released_at', 'release_revision', 'withdrawn_reason', 'replaces_release'];
      // the boxes CSV: the counts CSV's columns, in its order, last, on every row
      expect(boxes[0].slice(-6)).toEqual(cols);
      const cells = (rows: string[][]) => new Set(rows.slice(1).map((r) => JSON.stringify(r.slice(-6))));
      expect([...cells(boxes)]).toEqual([...cells(counts)]);
      const voc = vocFiles(images, rel).map((f) => f.data);
      // every VOC file still reads as VOC, with the release in its <smearcount> element
      for (const x of voc) expect(parseVoc(x).objects.length).toBeGreaterThan(0);
      const vocTag = (x: string, t: string) => new RegExp(`<smearcount>[\\s\\S]*<${t}>([^<]*)</${t}>[\\s\\S]*</smearcount>`).exec(x)?.[1];
      const coco = JSON.parse(cocoJson(images, rel)).info.release;
      const footer = pngFooter(images[0], uniqueNames(images)[0], s.sample.id, rel);
      // the one line each format carries is the report's own
      expect(releaseLine(rel)).toBe(releaseState(s.sample).line);
      expect(coco.state_line).toBe(releaseState(s.sample).line);
      expect(footer.endsWith(releaseState(s.sample).line)).toBe(true);
      for (const x of voc) expect(vocTag(x, 'report_state_line')).toBe(releaseState(s.sample).line.replace(/&/g, '&amp;'));
      return { csv: JSON.parse([...cells(boxes)][0]) as string[], voc: voc.map((x) => cols.map((c) => vocTag(x, c === 'report_state' ? 'report_state' : c))), coco, footer };
    };
    let r = said();
    expect(r.csv).toEqual(['preliminary', '', '', '', '', '']);
    expect(r.voc).toEqual([0, 1, 2].map(() => ['preliminary', '', '', '', '', '']));
    expect(r.coco).toMatchObject({ state: 'preliminary', verified_by: '', released_at: '', release_revision: '' });
    expect(r.footer).toBe('Sample (no sample ID) · a.jpg: RBC 1, WBC 2, PLT 0 · PRELIMINARY: not verified, not for clinical use.');

    store.getState().setSample({ id: 'S-9', operator: 'AB' });
    store.getState().releaseReport('AB');
    const s = store.getState();
    const at = isoLocal(new Date(s.sample.verifiedAt!));
    r = said();
    expect(r.csv).toEqual(['released', 'AB', at, s.sample.releasedRevision, '', '']);
    expect(r.voc[2]).toEqual(['released', 'AB', at, s.sample.releasedRevision, '', '']);
    expect(r.coco).toMatchObject({ state: 'released', verified_by: 'AB', released_at: at, release_revision: s.sample.releasedRevision, withdrawn_reason: '' });
    expect(r.footer).toBe(`Sample S-9 · a.jpg: RBC 1, WBC 2, PLT 0 · Released · verified by AB at ${at} · revision ${s.sample.releasedRevision}`);

    // an edit after release withdraws it: no file says released any more, none names the verifier
    store.getState().edit('a', deleteBox, { id: 'm1' });
    r = said();
    const why = 'a.jpg: RBC box deleted, top at x 220, y 120';
    expect(r.csv).toEqual(['withdrawn', '', '', '', why, '']);
    expect(r.voc[0]).toEqual(['withdrawn', '', '', '', why, '']);
    expect(r.coco).toMatchObject({ state: 'withdrawn', verified_by: '', released_at: '', withdrawn_reason: why });
    expect(r.footer).toBe(`Sample S-9 · a.jpg: RBC 0, WBC 2, PLT 0 · WITHDRAWN: not valid for clinical use. The release was withdrawn (${why}).`);
    // an image out of the totals says so on its picture, as its CSV row does (in_totals false)
    const g = selectExportImages(store.getState())[2];
    expect(pngFooter(g, 'grid.png', 'S-9', exportRelease(store.getState().sample))).toContain('grid.png: RBC 1, WBC 0, PLT 0 (not in the totals) · WITHDRAWN');
    // a right-to-left name, or one with an unterminated RIGHT-TO-LEFT OVERRIDE, is isolated: before, it turned
    // the rest of the footer round on the picture ("slide\u202e1.png: RBC 1…" drawn as "…1 CBR :gnp.1")
    expect(pngFooter(g, 'slide\u202e1.png', '\u0639\u064a\u0646\u0629-7', exportRelease(store.getState().sample))).toMatch(
      /^Sample \u2066\u0639\u064a\u0646\u0629-7\u2069 · \u2066slide\u202e1\.png\u2069: RBC 1, WBC 0, PLT 0 \(not in the totals\)/,
    );
    // and the footer of a picture that is in no export row (the sample and release alone): its ID was bare
    expect(sampleFooter('S\u202e-9', exportRelease(store.getState().sample))).toMatch(/^Sample \u2066S\u202e-9\u2069 · WITHDRAWN/);
    expect(sampleFooter('', exportRelease(store.getState().sample))).toMatch(/^Sample \(no sample ID\) · WITHDRAWN/);

    // released again: a corrected report, which names the release it replaces, on paper and in every file (audit
    // 2026-12-06, release: it read as a first release, and the earlier paper a clinician holds looked as valid)
    const first = { at, revision: s.sample.releasedRevision };
    store.getState().releaseReport('CD');
    const t = store.getState();
    const at2 = isoLocal(new Date(t.sample.verifiedAt!));
    const replaces = `replaces the release of ${first.at} (revision ${first.revision}), withdrawn (${why})`;
    expect(releaseState(t.sample)).toEqual({
      kind: 'released',
      line: `Released · verified by CD at ${at2} · revision ${t.sample.releasedRevision} · CORRECTED: ${replaces}`,
      page: `Released · revision ${t.sample.releasedRevision} · verified by CD ${at2} · CORRECTED, replaces revision ${first.revision}`,
    });
    r = said();
    expect(r.csv).toEqual(['released', 'CD', at2, t.sample.releasedRevision, '', replaces]);
    expect(r.voc[0]).toEqual(['released', 'CD', at2, t.sample.releasedRevision, '', replaces]);
    expect(r.coco).toMatchObject({ state: 'released', replaces_release: replaces });
    expect(r.footer.endsWith(`CORRECTED: ${replaces}`)).toBe(true);
    expect(reportJson(t, { lowConfidence: LOW })).toMatchObject({ state: 'released', replaces_release: replaces });
    // withdrawn again: no file names a correction of a release that no longer stands
    store.getState().edit('a', deleteBox, { id: 'm2' });
    r = said();
    expect(r.csv[0]).toBe('withdrawn');
    expect(r.csv[5]).toBe('');
    // cleared with the session
    store.getState().clearSample();
    expect(store.getState().sample.replaces).toBeNull();
  });

  it('the images reviewed: of those the counts rest on, and of those left out, apart; the JSON and the counts CSV say which (audit 2026-12-07, report)', () => {
    // a.jpg reviewed, live-0001.jpg not; grid.png, left out of the totals, reviewed: the report's first page reads
    // "Boxes reviewed on 1 of 2 images in the counts", and the JSON's reviewed (2) and the CSV's reviewed_images (2)
    // counted the picture left out with them, beside a TOTAL row of 2 images
    const store = batch();
    store.getState().setReviewed('a', true);
    store.getState().setReviewed('c', true);
    const s = store.getState();
    // reviewed stays what it was (every image counted by the detector, left out or not), for a reader of the old key
    expect(reportJson(s, { lowConfidence: LOW }).images).toEqual({ counted: 2, done: 3, left_out: 1, reviewed: 2, reviewed_in_counts: 1, reviewed_left_out: 1 });
    const csv = csvRows(countsCsv(selectExportImages(s)));
    const total = csv.find((r) => r[0] === 'TOTAL')!;
    const at = (h: string) => total[csv[0].indexOf(h)];
    expect([at('reviewed_images'), at('reviewed_in_totals_images'), at('in_totals_images')]).toEqual(['2', '1', '2']);
    expect(csv[0].indexOf('reviewed_in_totals_images')).toBe(csv[0].indexOf('in_totals_images') + 1);
    // a.jpg and live-0001.jpg edited (the batch's edits), grid.png too: edited_images counts all three, and the
    // images in the counts, as the report's "Changed by hand" splits them, are apart (there was no such column)
    store.getState().edit('c', deleteBox, { id: 'm0' });
    const csv2 = csvRows(countsCsv(selectExportImages(store.getState())));
    const total2 = csv2.find((r) => r[0] === 'TOTAL')!;
    expect([total2[csv2[0].indexOf('edited_images')], total2[csv2[0].indexOf('edited_in_totals_images')]]).toEqual(['3', '2']);
  });

  it("page 1's 'Changed by hand' and the JSON's edits_in_counts are the edits on the images in the counts; a left-out image's apart (audit 2026-12-07, report)", () => {
    // a box deleted on grid.png, left out of the totals: page 1 read "Changed by hand: 2 boxes deleted; …" over counts
    // that one of those deletions changed nothing in
    const store = batch();
    store.getState().edit('c', deleteBox, { id: 'm0' });
    const s = store.getState();
    const apart = selectEditsApart(s);
    expect(editWords(apart.inCounts)).toBe('1 box deleted; 1 WBC reclassified, 1 WBC set apart (smudge / other)');
    expect(handEditsWords(apart)).toBe('Changed by hand on the images in the counts (net of undo; each step is in the audit trail): 1 box deleted; 1 WBC reclassified, 1 WBC set apart (smudge / other). On the flagged image left out, in no figure: 1 box deleted.');
    const r = reportJson(s, { lowConfidence: LOW });
    expect(r.edits_in_counts).toEqual({ ...apart.inCounts, words: editWords(apart.inCounts) });
    expect(r.edits_left_out.words).toBe('1 box deleted');
    // the old key keeps every image, as it was
    expect(r.edits.deleted).toBe(2);
    // edits on the left-out image alone: no box of the counted images was changed
    const clean = createAppStore(defaults);
    clean.getState().addImage({ id: 'c', name: 'grid.png', bytes: 10 });
    clean.getState().updateImage('c', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 100)], quality: { flags: ['not-smear'] } as never });
    clean.getState().addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    clean.getState().updateImage('a', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 100)] });
    clean.getState().edit('c', deleteBox, { id: 'm0' });
    expect(handEditsWords(selectEditsApart(clean.getState()))).toBe('No box or WBC type was changed by hand on the images in the counts. On the flagged image left out, in no figure: 1 box deleted.');
    // nothing left out: the sentence as it always read
    clean.getState().acceptFlags('c', true);
    expect(handEditsWords(selectEditsApart(clean.getState()))).toBe('Changed by hand (net of undo; each step is in the audit trail): 1 box deleted.');
  });

  it("Appendix B's second pass is counted over the images in the counts (audit 2026-12-07, report)", () => {
    // grid.png, left out, took the second pass too: the Method read "second pass on 2 of 3 images" beside "On 2 fields"
    const store = batch();
    const pass = (passes: 1 | 2) => ({ used: 1, relative: 1, estimated: null, passes, fixed: false });
    store.getState().updateImage('a', { scale: pass(2) });
    store.getState().updateImage('b', { scale: pass(1) });
    store.getState().updateImage('c', { scale: pass(2) });
    expect(secondPassWords(store.getState())).toBe('second pass on 1 of 2 images in the counts');
    store.getState().acceptFlags('c', true);
    expect(secondPassWords(store.getState())).toBe('second pass on 2 of 3 images');
  });

  it('means per field: a nonzero mean never prints as 0.0 in the JSON (audit 2026-12-07, report: 1 NRBC in 30 fields)', () => {
    const store = createAppStore(defaults);
    const st = store.getState();
    for (let i = 0; i < 30; i++) {
      st.addImage({ id: `f${i}`, name: `f${i}.jpg`, bytes: 10 });
      st.updateImage(`f${i}`, { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 100), det('m1', 'WBC', 300), ...(i === 0 ? [det('m2', 'Platelets', 500)] : [])], wbc: { m1: NEU } });
    }
    st.edit('f0', reclassifyCell, { id: 'm1', to: 'erythroblast' });
    const j = reportJson(store.getState(), { lowConfidence: LOW });
    expect(j.counts.NRBC).toMatchObject({ counted: 1, mean_per_field: 0.033, mean_per_field_printed: '0.03' });
    expect(j.counts.Platelets).toMatchObject({ counted: 1, mean_per_field_printed: '0.03' });
    expect(j.counts.WBC).toMatchObject({ counted: 29, mean_per_field_printed: '1.0' });
  });

  it('JSON: the release, the totals and the differential as the report prints them; the edits, engines and adaptation', () => {
    const store = released();
    const s = store.getState();
    const r = reportJson(s, { lowConfidence: LOW });
    expect(r).toMatchObject({ state: 'released', verified_by: 'AB', released_at: isoLocal(new Date(s.sample.verifiedAt!)), release_revision: s.sample.releasedRevision, withdrawn_reason: '' });
    expect(r.state_line).toBe(releaseState(s.sample).line);
    expect(r.images).toEqual({ counted: 2, done: 3, left_out: 1, reviewed: 0, reviewed_in_counts: 0, reviewed_left_out: 0 });
    expect(r.left_out_images).toEqual(['grid.png']);
    expect(r.counts.RBC.counted).toBe(selectSummary(s).totals.RBC);
    expect(r.analyser_wbc_10e9_per_L).toBe(6);
    const neu = r.differential!.rows.find((x) => x.type === 'neutrophil')!;
    // % and ×10⁹/L: the exact values and the text the report prints
    expect(neu).toMatchObject({ n: 2, percent_printed: '66.7', absolute_printed: '4.00' });
    // the same in every country, and it says so (the printed report writes "66,7" in a German lab)
    expect(r.number_format).toBe(NUMBER_FORMAT);
    expect(r.number_format).toMatch(/decimal point.*whatever the browser's locale/);
    expect(neu.percent).toBeCloseTo(200 / 3, 10);
    expect(r.differential).toMatchObject({ printed: true, based_on: 3, target: 100, reached: false, kept_apart: { other: 1, smudge: 0, unverified: 0 } });
    expect(r.edits).toMatchObject({ deleted: 1, reclassified: 1, setApart: 1, words: '1 box deleted; 1 WBC reclassified, 1 WBC set apart (smudge / other)' });
    expect(r.edits).toEqual({ ...selectEditSummary(s), words: r.edits.words });
    // the engines recorded per image, not this session's (wasm-threads x2)
    expect(r.engines).toEqual([
      { backend: 'wasm', threads: 1, images: 1 },
      { backend: 'wasm-threads', threads: 2, images: 2 },
    ]);
    expect(enginesWords(selectEngines(s))).toBe('wasm × 1 thread (1 image), wasm-threads × 2 threads (2 images)');
    expect(provenanceText({ detector: { name: 'd', sha256: 'ab' }, classifier: null, engine: null, threads: null, engines: r.engines, adaptation: 'WBC classifier adapted to this microscope from 23 verified cells' })).toBe(
      'd sha256:ab; engine wasm x1 (1 image), wasm-threads x2 (2 images); WBC classifier adapted to this microscope from 23 verified cells',
    );
    expect(r.adaptation).toBeNull();
    // the settings the figures rest on, as Appendix B prints them (audit 2026-12-05: a changed threshold was in no data file)
    expect(r.settings).toEqual({ score_thresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nms_iou: 0.5, cross_class_nms: false, count_rule: 'interior', fixed_scale: null, magnification: 'estimated per image' });
    // not released: no figures of a release, the differential still as printed ('–' where none is)
    store.getState().withdrawRelease('test');
    const w = reportJson(store.getState(), { lowConfidence: LOW });
    expect(w).toMatchObject({ state: 'withdrawn', verified_by: '', released_at: '', release_revision: '', withdrawn_reason: 'test' });
    // a smear estimate carries its 95% sampling interval (per µL) and the fields short of ±20%; none without a factor
    expect(w.counts.Platelets).toMatchObject({ estimate_per_uL: null, estimate_interval_per_uL: null, estimate_more_fields_for_20pct: null });
    store.getState().setEstimateFactor('WBC', 2000);
    const sum = selectSummary(store.getState());
    const p = reportJson(store.getState(), { lowConfidence: LOW }).counts.WBC;
    const ci = countInterval(sum.totals.WBC, sum.dispersion.WBC);
    expect(sum.totals.WBC).toBeGreaterThan(0);
    expect(p.estimate_interval_per_uL).toEqual([Math.round((ci.low / sum.images) * 2000), Math.round((ci.high / sum.images) * 2000)]);
    expect(p.estimate_per_uL).toBe(Math.round((sum.totals.WBC / sum.images) * 2000));
    // the fixture's few WBCs are far from ±20%: (1.96 / 0.2)² = 96 cells at its rate per field
    expect(p.estimate_more_fields_for_20pct).toBe(Math.ceil(96.04 / (sum.totals.WBC / sum.images)) - sum.images);
    expect(sum.images).toBe(2);
    store.getState().setThreshold('Platelets', 0.6);
    expect(reportJson(store.getState(), { lowConfidence: LOW }).settings.score_thresholds.Platelets).toBe(0.6);
  });

  it('JSON: the collection and receipt times as the report prints them, with the offset (the sample record has none)', () => {
    const was = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Kolkata';
      const store = batch();
      expect(reportJson(store.getState(), { lowConfidence: LOW })).toMatchObject({ collected_at: '', received_at: '' });
      store.getState().setSample({ collectedAt: '2026-12-04T08:15', receivedAt: '2026-12-04T09:40' });
      expect(reportJson(store.getState(), { lowConfidence: LOW })).toMatchObject({ collected_at: '2026-12-04T08:15:00+05:30', received_at: '2026-12-04T09:40:00+05:30' });
      process.env.TZ = 'Europe/Berlin';
      store.getState().setSample({ collectedAt: '2026-03-29T02:30' });
      expect(reportJson(store.getState(), { lowConfidence: LOW }).collected_at).toBe("2026-03-29T02:30 (no such time on this device's clock: the clocks went forward)");
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
  });

  it('JSON: its sample record names no verifier where the report names none (typed before release, kept after a withdrawal)', () => {
    const store = batch();
    watchRelease(store);
    store.getState().setSample({ id: ' S-9 ', verifiedBy: 'C. Doe' });
    // typed under "Verified by", not released: the report prints no name and the CSV's verified_by is empty
    expect(exportSample(store.getState().sample)).toMatchObject({ id: 'S-9', verifiedBy: '', verifiedAt: null });
    store.getState().releaseReport('C. Doe');
    const s = store.getState().sample;
    expect(exportSample(s)).toMatchObject({ verifiedBy: 'C. Doe', verifiedAt: s.verifiedAt, releasedRevision: s.releasedRevision });
    expect(exportSample(s).verifiedBy).toBe(exportRelease(s).verifiedBy);
    store.getState().edit('a', deleteBox, { id: 'm1' });
    const w = store.getState().sample;
    expect(w.withdrawn).not.toBe('');
    expect(exportSample(w)).toMatchObject({ verifiedBy: '', verifiedAt: null, withdrawn: w.withdrawn });
  });

  it('the magnification is the one the images were counted at: a setting changed since, not counted again, is said as not applied', () => {
    const store = batch();
    const auto = { used: 1, relative: 1, estimated: 1.02, passes: 1 as const, fixed: false };
    for (const id of ['a', 'b', 'c']) store.getState().updateImage(id, { scale: auto });
    expect(scaleUsed(store.getState())).toEqual({ setting: null, pending: false, words: 'estimated per image' });
    // chosen after counting (Count again not pressed): the figures are still those of the estimate
    store.getState().setFixedScale(2);
    const u = scaleUsed(store.getState());
    expect(u).toMatchObject({ setting: null, pending: true });
    // grid.png, left out of the counts, is not among the figures the line qualifies (it read "3 of 3 images")
    expect(u.words).toBe('estimated per image; the setting is now “set by hand: cells look 2× smaller than usual, counted at 2× zoom”, not applied to 2 of 2 images in the counts until they are counted again');
    const r = reportJson(store.getState(), { lowConfidence: LOW });
    expect(r.settings).toMatchObject({ fixed_scale: null, fixed_scale_not_applied: 2, magnification: u.words });
    // counted again under it: the setting is what made them
    for (const id of ['a', 'b', 'c']) store.getState().updateImage(id, { scale: { used: 2, relative: 2, estimated: null, passes: 1, fixed: true, requested: 2 } });
    expect(scaleUsed(store.getState())).toEqual({ setting: 2, pending: false, words: 'set by hand: cells look 2× smaller than usual, counted at 2× zoom' });
    expect(reportJson(store.getState(), { lowConfidence: LOW }).settings).not.toHaveProperty('fixed_scale_not_applied');
    // back to auto with one image counted again: some images each way
    store.getState().setFixedScale(null);
    store.getState().updateImage('a', { scale: auto });
    expect(scaleUsed(store.getState())).toMatchObject({ setting: 'mixed', pending: true, words: 'estimated per image on 1 image, set by hand (counted at 2× zoom) on 1; the setting is now “estimated per image”, not applied to 1 of 2 images in the counts until they are counted again' });
    // the left-out grid alone counted at another setting: the counts' figures all are the setting's
    store.getState().updateImage('b', { scale: auto });
    expect(scaleUsed(store.getState())).toEqual({ setting: null, pending: false, words: 'estimated per image' });
    // accepted, it is in the counts and named again
    store.getState().acceptFlags('c', true);
    expect(scaleUsed(store.getState()).words).toBe('estimated per image on 2 images, set by hand (counted at 2× zoom) on 1; the setting is now “estimated per image”, not applied to 1 of 3 images until they are counted again');
    // one image in the counts: said of it
    store.getState().acceptFlags('c', false);
    store.getState().acceptFlags('a', false);
    store.getState().updateImage('a', { quality: { flags: ['not-smear'] } as never });
    store.getState().setFixedScale(2);
    expect(scaleUsed(store.getState()).words).toBe('estimated per image; the setting is now “set by hand: cells look 2× smaller than usual, counted at 2× zoom”, not applied to 1 of 1 image in the counts until it is counted again');
  });

  it('images counted by another detector model than the one loaded (a batch restored after an update) are named with it', () => {
    const store = batch();
    const now = { name: 'smearcount-frcnn', sha256: 'b'.repeat(64) };
    for (const id of ['a', 'b', 'c']) store.getState().updateImage(id, { detector: now });
    expect(otherDetectors(store.getState(), now)).toEqual([]);
    expect(detectorWords([])).toBe('');
    const old = { name: 'smearcount-frcnn', sha256: 'a'.repeat(64) };
    store.getState().updateImage('a', { detector: old });
    store.getState().updateImage('b', { detector: old });
    const others = otherDetectors(store.getState(), now);
    expect(others).toEqual([{ ...old, images: 2 }]);
    expect(detectorWords(others)).toBe(`2 of the images were counted by another detector model: smearcount-frcnn (sha256 ${'a'.repeat(16)}…)`);
    // an image counted before the model was recorded is not claimed for either
    store.getState().updateImage('c', { detector: undefined });
    expect(otherDetectors(store.getState(), now)).toEqual([{ ...old, images: 2 }]);    // the WBC types likewise: an image typed by the classifier before an update, and one of its WBCs typed since
    const wbcNow = { name: 'smearcount-wbc', sha256: 'd'.repeat(64) };
    const wbcOld = { name: 'smearcount-wbc', sha256: 'c'.repeat(64) };
    store.getState().updateImage('a', { classifiers: [wbcOld, wbcNow] });
    store.getState().updateImage('b', { classifiers: [wbcNow] });
    expect(otherClassifiers(store.getState(), wbcNow)).toEqual([{ ...wbcOld, images: 1 }]);
    expect(classifierWords(otherClassifiers(store.getState(), wbcNow))).toBe(`1 of the images holds WBC types from another classifier model: smearcount-wbc (sha256 ${'c'.repeat(16)}…)`);
    expect(classifierWords(otherClassifiers(store.getState(), wbcOld))).toBe(`2 of the images hold WBC types from another classifier model: smearcount-wbc (sha256 ${'d'.repeat(16)}…)`);
  });

  it('an image counted before engines were recorded says so rather than borrow this session’s', () => {
    const store = batch();
    store.getState().updateImage('a', { engine: undefined });
    expect(selectEngines(store.getState())[0]).toEqual({ backend: 'not recorded', threads: null, images: 1 });
    expect(selectExportImages(store.getState())[0].engine).toBeUndefined();
  });

  it('the adaptation is named only where the profile’s head adapted the types shown', () => {
    const store = batch();
    expect(adaptationWords(selectAdaptation(store.getState()))).toBeNull();
    store.getState().setAdaptation({ cells: 23, head: { weight: 0.5, bias: null } as never });
    // a head, but no image's types adapted yet
    expect(adaptationWords(selectAdaptation(store.getState()))).toBe('WBC types from the classifier alone: the microscope profile adapted from 23 verified cells after these fields were typed');
    store.getState().updateImage('a', { adapted: { m2: NEU, m3: NEU } });
    expect(adaptationWords(selectAdaptation(store.getState()), 'Scope 2')).toBe('WBC classifier adapted to this microscope from 23 verified cells (microscope profile “Scope 2”)');
    // verified cells the model already types right: no head weight, no bias; the report says what the panel says
    store.getState().setAdaptation({ cells: 7, head: { weight: 0, bias: null } as never });
    expect(adaptationWords(selectAdaptation(store.getState()), 'Scope 2')).toBe('WBC types from the classifier alone: it already types the 7 verified cells of the microscope profile “Scope 2” right, so it was not adapted');
    // not adapted, yet the model typed 2 of them wrong (adapting did no better): "already types them right" was false
    store.getState().setAdaptation({ cells: 7, head: { weight: 0, bias: null, n: 7, modelError: 2 / 7 } as never });
    expect(adaptationWords(selectAdaptation(store.getState()), 'Scope 2')).toBe(
      'WBC types from the classifier alone: it types 5 of the 7 verified cells of the microscope profile “Scope 2” right, and adapting to them did no better, so it was not adapted',
    );
  });

  it('the CSV keeps the sample ID and the models last, after the release columns', () => {
    const s = released().getState();
    const csv = csvWithSample(countsCsv(selectExportImages(s), { release: exportRelease(s.sample), differential: selectDifferentialState(s, LOW) }), 'S-9', 'models');
    expect(csv.split('\r\n')[0].endsWith(',withdrawn_reason,replaces_release,sample_id,models')).toBe(true);
  });
});

describe('sample record audit', () => {
  it('each field change is an entry; typing one field is one entry; a release in between starts another', () => {
    const store = batch();
    watchRelease(store);
    const st = () => store.getState();
    for (const v of ['S', 'S-', 'S-9']) st().setSample({ id: v });
    st().setSample({ patient: 'Doe', wbcCount: 6.5 });
    const sample = st().audit.filter((e) => e.field === 'sample');
    expect(sample.map((e) => [e.cell, e.from, e.to])).toEqual([
      ['id', null, 'S-9'],
      ['patient', null, 'Doe'],
      ['wbcCount', null, '6.5'],
    ]);
    st().setSample({ operator: 'AB' });
    st().releaseReport('AB');
    // after the release: a change of its own, then the withdrawal it caused; later keys grow that entry
    st().setSample({ wbcCount: 7 });
    st().setSample({ wbcCount: 7.5 });
    const tail = st().audit.slice(-3);
    expect(tail.map((e) => [e.field, e.action, e.cell, e.from, e.to])).toEqual([
      ['release', 'release', '', 'not released', expect.stringMatching(/^released by AB · revision [0-9a-f]{16}$/)],
      ['sample', 'sample', 'wbcCount', '6.5', '7.5'],
      ['release', 'withdraw', '', expect.stringMatching(/^released by AB/), 'withdrawn: sample record changed (wbcCount)'],
    ]);
    // typed back to what it was with nothing after it: no entry
    st().setSample({ ward: 'W' });
    st().setSample({ ward: '' });
    expect(st().audit.some((e) => e.cell === 'ward')).toBe(false);
  });
});

describe('images in none of the figures (audit 2026-12-05)', () => {
  it('a failed image and those still being counted are named, on the report and in its JSON', () => {
    const store = batch();
    const st = store.getState();
    expect(notCountedWords(selectNotCounted(st))).toBe('');
    st.addImage({ id: 'e', name: 'broken.jpg', bytes: 10 });
    st.updateImage('e', { status: 'error', error: 'This file could not be decoded as an image.' });
    st.addImage({ id: 'q', name: 'late.jpg', bytes: 10 });
    st.addImage({ id: 'r', name: 'later.jpg', bytes: 10 });
    const n = selectNotCounted(store.getState());
    expect(n).toEqual({ failed: [{ name: 'broken.jpg', error: 'This file could not be decoded as an image.' }], counting: 2 });
    expect(notCountedWords(n)).toBe('Not in these figures: 1 file could not be counted (broken.jpg: This file could not be decoded as an image); 2 images are still being counted.');
    expect(reportJson(store.getState(), { lowConfidence: LOW }).not_counted).toEqual(n);
    expect(notCountedWords({ failed: [], counting: 1 })).toBe('Not in these figures: 1 image is still being counted.');
  });
  it('a counts CSV exported while images are still being counted names them too, in no total (audit 2026-12-05, third)', () => {
    const store = batch();
    const st = store.getState();
    st.addImage({ id: 'e', name: 'broken.jpg', bytes: 10 });
    st.updateImage('e', { status: 'error', error: 'This file could not be decoded as an image.' });
    st.addImage({ id: 'q', name: 'late.jpg', bytes: 10 });
    st.addImage({ id: 'r', name: 'later.jpg', bytes: 10 });
    st.updateImage('r', { status: 'running' });
    const s = store.getState();
    const rows = csvRows(countsCsv(selectExportImages(s), { release: exportRelease(s.sample), differential: selectDifferentialState(s, LOW), notCounted: notCountedRows(s) }));
    const col = (n: string) => rows[0].indexOf(n);
    expect(rows.filter((r) => r[col('flags')]?.startsWith('not-counted')).map((r) => [r[0], r[col('flags')], r[col('in_totals')], r[col('rbc')]])).toEqual([
      ['broken.jpg', 'not-counted: This file could not be decoded as an image.', 'false', ''],
      ['late.jpg', 'not-counted: still being counted', 'false', ''],
      ['later.jpg', 'not-counted: still being counted', 'false', ''],
    ]);
    // TOTAL is unchanged: the three counted images (grid.png flagged out)
    expect(rows.find((r) => r[0] === 'TOTAL')![col('in_totals_images')]).toBe('2');
  });
  it('a file refused at the drop is named too, first, and leaves once the same name is dropped whole (audit 2026-12-05, second)', () => {
    const store = batch();
    const st = store.getState();
    st.refuseFile('half.jpg', 'The image could not be decoded (the JPEG ends early).');
    st.refuseFile('half.jpg', 'The image could not be decoded (the JPEG ends early).'); // dropped twice: once
    st.refuseFile('notes.txt', 'Not an image.');
    st.addImage({ id: 'e', name: 'broken.jpg', bytes: 10 });
    st.updateImage('e', { status: 'error', error: 'This file could not be decoded as an image.' });
    expect(selectNotCounted(store.getState()).failed.map((f) => f.name)).toEqual(['half.jpg', 'notes.txt', 'broken.jpg']);
    expect(notCountedWords(selectNotCounted(store.getState()))).toMatch(/^Not in these figures: 3 files could not be counted \(half\.jpg: The image could not be decoded \(the JPEG ends early\); notes\.txt: Not an image; broken\.jpg/);
    // the signed report says what happened to each file, not the notice's advice on what to do next
    // (audit 2026-12-05, desk: "Drop JPEG, PNG, WebP or BMP photos…" and "Export the photo again from the
    // camera software" were printed on the released report, and pushed its results onto a second page)
    st.refuseFile('form.pdf', 'A PDF document, not an image. Save the smear photo from it as JPEG or PNG, then drop that.');
    st.refuseFile('huge.png', 'The image is 12000×9000 (108 MP), over the 50-megapixel limit. Microscope photos are usually under 5 MP: export a smaller image.');
    st.refuseFile('text.png', 'Named .png, but what is inside is not an image: the file is damaged, or another kind of file was renamed. Export the photo again from the camera software.');
    const words = notCountedWords(selectNotCounted(store.getState()));
    expect(words).toContain('form.pdf: A PDF document, not an image; huge.png: The image is 12000×9000 (108 MP), over the 50-megapixel limit; text.png: Named .png, but what is inside is not an image: the file is damaged, or another kind of file was renamed; broken.jpg');
    expect(words).not.toMatch(/Save the smear|Microscope photos|Export the photo/);
    expect(words).toMatch(/^Not in these figures: 6 files could not be counted/);
    // the CSV keeps the whole message (a row of its own per file)
    expect(notCountedRows(store.getState()).find((r) => r.name === 'huge.png')!.error).toMatch(/export a smaller image\.$/);
    // the technician drops half.jpg again, whole: counted, no longer missing
    st.addImage({ id: 'h', name: 'half.jpg', bytes: 10 });
    expect(selectNotCounted(store.getState()).failed.map((f) => f.name)).toEqual(['notes.txt', 'form.pdf', 'huge.png', 'text.png', 'broken.jpg']);
    // a new batch starts with none
    store.getState().clearBatch();
    expect(store.getState().refused).toEqual([]);
  });
});

describe('boxes found but not counted (audit 2026-12-06, release)', () => {
  it('the report and its JSON say how many boxes of the counted fields no figure counts, and why', () => {
    const store = batch();
    const st = store.getState();
    // b.jpg: its RBC is the same speck as in other fields (the optics rule); d.jpg: a grey platelet candidate
    st.updateImage('b', { optics: ['m0'] });
    st.addImage({ id: 'd', name: 'd.jpg', bytes: 10 });
    st.updateImage('d', { status: 'done', width: 640, height: 480, raw: [det('p0', 'Platelets', 100), det('p1', 'Platelets', 200), det('r0', 'RBC', 300)], quality: { flags: [], debris: ['p1'] } as never });
    // the grid (not a smear, left out whole) has a box cut by the border too: it is said as a left-out image, not here
    st.updateImage('c', { raw: [det('m0', 'RBC', 100), det('m1', 'RBC', 0)] });
    const s = store.getState();
    const b = selectLeftOutBoxes(s);
    // a.jpg's platelet and WBC at x 0 are cut by the left border, and the rule is 'interior'
    expect(b.countRule).toEqual({ RBC: 0, WBC: 1, Platelets: 1 });
    expect(b.optics).toEqual({ RBC: 1, WBC: 0, Platelets: 0 });
    expect(b.debris).toEqual({ RBC: 0, WBC: 0, Platelets: 1 });
    const words = leftOutWords(b, s.postprocess.countRule);
    expect(words).toBe(
      'Found by the detector on the counted fields but not counted as cells: 2 (1 WBC, 1 platelet) cut by the image border, left out by the count rule (cells cut by the image border excluded); ' +
        '1 RBC taken for a speck on the camera or lens (at the same place in several fields); 1 platelet taken for an unstained speck (grey where the field\'s cells are stained).',
    );
    expect(reportJson(s, { lowConfidence: LOW }).left_out_boxes).toEqual({ count_rule: b.countRule, optics: b.optics, debris: b.debris, words });
    // every box counted: nothing to say
    st.setCountRule('all');
    st.updateImage('b', { optics: [] });
    st.updateImage('d', { quality: { flags: [] } as never });
    expect(leftOutWords(selectLeftOutBoxes(store.getState()), 'all')).toBe('');
  });

  it('absolute counts rest on the analyser WBC corrected for the NRBC counted; the report, its JSON and the counts CSV say which count (audit 2026-12-06, differential)', () => {
    const store = batch();
    // b.jpg's cell set apart as other is an erythroblast: 3 WBC in the 100% (2 neutrophils, 1 lymphocyte) and 1 NRBC,
    // 33.3 per 100 WBC. The analyser's 8 ×10⁹/L counted them all: 8 × 100 / 133.3 = 6 white cells ×10⁹/L
    store.getState().edit('b', reclassifyCell, { id: 'm2', to: 'erythroblast' });
    watchRelease(store);
    store.getState().setSample({ id: 'S-9', operator: 'AB', wbcCount: 8 });
    store.getState().releaseReport('AB');
    const s = store.getState();
    const j = reportJson(s, { lowConfidence: LOW });
    const row = (t: string) => j.differential!.rows.find((r) => r.type === t)!;
    // before: 5.33 and 2.67, from the uncorrected 8
    expect(row('neutrophil').absolute_printed).toBe('4.00');
    expect(row('lymphocyte').absolute_printed).toBe('2.00');
    // and the NRBC absolute count an analyser gives: 33.3 per 100 of the corrected 6 (= 8 × 33.3 / 133.3), not of
    // the uncorrected 8 (2.67): corrected once (before: no NRBC absolute count at all)
    expect(row('erythroblast')).toMatchObject({ percent_printed: '33.3', absolute_printed: '2.00' });
    expect(j.analyser_wbc_10e9_per_L).toBe(8);
    // the cell counts: the NRBC-typed box is not a leukocyte, left out of WBC and counted apart (before: in WBC,
    // and no NRBC count); the counts CSV gives both, wbc (every WBC box) and wbc_less_nrbc (the report's)
    const boxes = selectSummary(s).totals.WBC;
    expect(j.counts.WBC).toMatchObject({ counted: boxes - 1, excludes_nrbc: true, nrbc_left_out: 1 });
    expect(j.counts.NRBC).toMatchObject({ counted: 1, words: "WBC leaves out the 1 box typed NRBC (nucleated red cells, not leukocytes), as an analyser's WBC count corrected for NRBC does" });
    expect(j.ratios.wbc_per_rbc).toBe((boxes - 1) / j.counts.RBC.counted);
    const csv = csvCells(countsCsv(selectExportImages(s)));
    const total = csv.find((r) => r[0] === 'TOTAL')!;
    expect([total[csv[0].indexOf('wbc')], total[csv[0].indexOf('wbc_less_nrbc')], total[csv[0].indexOf('erythroblast')]]).toEqual([String(boxes), String(boxes - 1), '1']);
    expect(j.differential!.wbc_count).toMatchObject({ analyser_10e9_per_L: 8, analyser_corrected_for_nrbc: false, corrected_printed: '6.00', correction: 'applied', words: 'absolute counts ×10⁹/L from the WBC corrected for 33.3 NRBC per 100 WBC: 6.00 ×10⁹/L (analyser WBC 8 ×10⁹/L uncorrected, × 100 / (100 + NRBC))' });
    expect(j.differential!.wbc_count!.corrected_10e9_per_L).toBeCloseTo(6, 12);
    // the counts CSV: a row of the absolute counts as printed, after the % row, saying which count they rest on
    const counts = () => {
      const t = store.getState();
      return csvCells(countsCsv(selectExportImages(t), { release: exportRelease(t.sample), differential: selectDifferentialState(t, LOW), printed: selectPrinted(t, LOW) }));
    };
    let rows = counts();
    const col = (name: string) => rows[0].indexOf(name);
    const absRow = (r: string[][]) => r.find((x) => x[0] === 'DIFFERENTIAL_10E9_PER_L')!;
    let abs = absRow(rows);
    expect(rows[rows.indexOf(abs) - 1][0]).toBe('DIFFERENTIAL_%');
    expect([abs[0], abs[col('neutrophil')], abs[col('lymphocyte')], abs[col('monocyte')], abs[col('erythroblast')], abs[col('report_state')]]).toEqual(['DIFFERENTIAL_10E9_PER_L', '4.00', '2.00', '0.00', '2.00', 'released']);
    expect(abs[col('flags')]).toBe(j.differential!.wbc_count!.words);
    // an analyser that counts NRBC apart gave a corrected count: not corrected again, and the release is withdrawn
    store.getState().setSample({ wbcNrbcCorrected: true });
    expect(store.getState().sample).toMatchObject({ verifiedAt: null, withdrawn: 'sample record changed (wbcNrbcCorrected)' });
    expect(store.getState().audit.find((e) => e.cell === 'wbcNrbcCorrected')).toMatchObject({ field: 'sample', from: 'no', to: 'yes' });
    const k = reportJson(store.getState(), { lowConfidence: LOW });
    expect(k.differential!.rows.find((r) => r.type === 'neutrophil')!.absolute_printed).toBe('5.33');
    // NRBC per 100 of the WBC as entered: 8 × 0.333
    expect(k.differential!.rows.find((r) => r.type === 'erythroblast')!.absolute_printed).toBe('2.67');
    expect(k.differential!.wbc_count).toMatchObject({ analyser_corrected_for_nrbc: true, corrected_10e9_per_L: null, correction: 'analyser', absolute_from_10e9_per_L: 8 });
    rows = counts();
    abs = absRow(rows);
    expect([abs[col('neutrophil')], abs[col('flags')]]).toEqual(['5.33', 'absolute counts ×10⁹/L from the analyser WBC 8 ×10⁹/L, entered as already corrected for NRBC by the analyser (not corrected again)']);
    // no analyser count: no row, nothing to say it rests on
    store.getState().setSample({ wbcCount: null });
    expect(counts().some((r) => r[0] === 'DIFFERENTIAL_10E9_PER_L')).toBe(false);
    expect(reportJson(store.getState(), { lowConfidence: LOW }).differential!.wbc_count).toBeNull();
  });
});
