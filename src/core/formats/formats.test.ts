import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreText, type Detection } from '../detection/detection';
import { addBox, relabelBox } from '../edits/commands';
import { applyEdits, applyTypes, NO_EDITS } from '../edits/edits';
import { WBC_TYPES } from '../differential/differential';
import { csvField, toCsv } from './csv';
import { boxesCsv, boxesJson, cocoJson, countsCsv, pngFooter, vocFiles, type ExportImage } from './exports';
import { DEFAULT_RULES, differentialState } from '../differential/rules';
import { sniffImage, sniffOther } from './imageHeader';
import { parseVoc } from './voc';
import { crc32, zip } from './zip';
import { uniqueNames } from './names';
import { csvWithSample } from './sample';
import { reclassifyCell } from '../edits/gallery';

const d = (cls: Detection['cls'], x: number, origin: Detection['origin'] = 'model'): Detection => ({
  id: `m${x}`,
  cls,
  score: 0.5,
  box: { x1: x, y1: 0, x2: x + 10, y2: 10 },
  origin,
  ...(cls === 'WBC' ? { wbc: { type: 'eosinophil' as const, p: 0.9, origin: 'model' as const } } : {}),
});
const images: ExportImage[] = [
  { name: 'a,1.jpg', width: 640, height: 480, detections: [d('RBC', 0), d('RBC', 20), d('WBC', 40, 'manual')], reviewed: true, edited: true, countRule: 'all', scale: { used: 0.8, relative: 1, estimated: 1.04, passes: 1, fixed: false } },
  { name: 'b.jpg', width: 640, height: 480, detections: [d('Platelets', 0)], reviewed: false, edited: false, countRule: 'all', scale: { used: 1.6, relative: 2, estimated: 0.49, passes: 2, fixed: false } },
];
const flagged: ExportImage = { name: 'grid.png', width: 640, height: 480, detections: [d('RBC', 100), d('WBC', 200)], reviewed: false, edited: false, countRule: 'all', flags: ['not-smear', 'unfamiliar-colour'], inTotals: false, flagsAccepted: false };

/** The report's inputs with the panel's basis set to every typed cell (the counted images' cells). */
const everyTyped = (ims: readonly ExportImage[]) => ({
  release: { state: 'preliminary' as const, verifiedBy: '', releasedAt: '', revision: '', withdrawn: '' },
  differential: differentialState(ims.flatMap((im) => im.detections), { ...DEFAULT_RULES, basis: 'all' }, 0.6),
});

describe('CSV', () => {
  it('quotes only when needed', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(3)).toBe('3');
    expect(toCsv(['x'], [[1]])).toBe('x\r\n1\r\n');
  });
  it('defuses text a spreadsheet would run as a formula (file names, sample ID); numbers stay numbers', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1.jpg')).toBe("'+1.jpg");
    expect(csvField('-2.jpg')).toBe("'-2.jpg");
    expect(csvField('@SUM(A1).jpg')).toBe("'@SUM(A1).jpg");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField(-0.5)).toBe('-0.5000');
    expect(csvField('a-b.jpg')).toBe('a-b.jpg');
    const csv = countsCsv([{ ...images[1], name: '=cmd.jpg' }]);
    expect(csv.split('\r\n')[1].startsWith("'=cmd.jpg,")).toBe(true);
    expect(csvWithSample('a\r\n1\r\n', '=2+3')).toBe("a,sample_id\r\n1,'=2+3\r\n");
  });
  it('exports counts with a totals row', () => {
    // not released: every row says so, and names no verifier
    const rel = ',preliminary,,,,,';
    // the panel's basis set to every typed cell: the preliminary row gives them all
    expect(countsCsv(images, everyTyped(images))).toBe(
      'image,rbc,wbc,platelets,reviewed,edited,count_rule,cell_scale,passes,neutrophil,lymphocyte,monocyte,eosinophil,basophil,immature_granulocyte,erythroblast,flags,flags_accepted,in_totals,' +
        'smudge,other,engine,source,captured_at,edits,wbc_less_nrbc,reviewed_images,edited_images,flags_accepted_images,in_totals_images,reviewed_in_totals_images,edited_in_totals_images,report_state,verified_by,released_at,release_revision,withdrawn_reason,replaces_release\r\n' +
        `"a,1.jpg",2,1,0,true,true,all,1.0400,1,0,0,0,1,0,0,0,,,true,0,0,,file,,,1,,,,,,${rel}\r\n` +
        `b.jpg,0,0,1,false,false,all,0.4900,2,0,0,0,0,0,0,0,,,true,0,0,,file,,,0,,,,,,${rel}\r\n` +
        // the true/false columns empty on TOTAL; its image counts in columns of their own (audit s49 minor 5)
        `TOTAL,2,1,1,,,all,,,0,0,0,1,0,0,0,,,,0,0,,,,,1,1,1,0,2,1,1${rel}\r\n` +
        `DIFFERENTIAL_%,,,,,,,,,0.0,0.0,0.0,100.0,0.0,0.0,0.0,preliminary: every typed cell; 1 of 1 WBC types not verified; erythroblast per 100 WBC (outside the 100%),,,,,,,,,,,,,,,${rel}\r\n`,
    );
    // the panel's default basis, verified cells only: none yet, so no percentages, and the row says why
    expect(countsCsv(images).trim().split('\r\n').at(-1)).toBe(`DIFFERENTIAL_%,,,,,,,,,,,,,,,,preliminary: 0 verified cells of 100; 1 of 1 WBC types not verified,,,,,,,,,,,,,,,${rel}`);
    // verified cells: the row gives the report's figures and says what they rest on
    const verified = images.map((im) => ({ ...im, detections: im.detections.map((d) => (d.wbc ? { ...d, wbc: { ...d.wbc, verified: true } } : d)) }));
    // (on 1 cell, fewer than the target: said as the report's caution says it)
    expect(countsCsv(verified).trim().split('\r\n').at(-1)).toBe(`DIFFERENTIAL_%,,,,,,,,,0.0,0.0,0.0,100.0,0.0,0.0,0.0,report: 1 verified cells (target 100); fewer than the target: percentages imprecise; no reason given: no H/L flags; erythroblast per 100 WBC (outside the 100%),,,,,,,,,,,,,,,${rel}`);
  });
  it('the differential row says its erythroblasts are per 100 WBC, and when its rounded percentages do not add up to 100 (audit 2026-12-07, report)', () => {
    // three verified cells of three types and an erythroblast: 33.3 × 3 = 99.9, and NRBC 33.3 in the same row
    // read as a fourth part of the 100% (the row summed to 133.2); the report's table names the unit per row
    const w = (x: number, type: (typeof WBC_TYPES)[number]): Detection => ({ ...d('WBC', x), wbc: { type, p: 0.9, origin: 'model', verified: true } });
    const im: ExportImage = { ...images[1], detections: [w(0, 'neutrophil'), w(20, 'lymphocyte'), w(40, 'monocyte'), w(60, 'erythroblast')] };
    const rows = countsCsv([im]).trim().split('\r\n').map((l) => l.split(','));
    const col = (name: string) => rows[0].indexOf(name);
    const pct = rows.at(-1)!;
    expect(WBC_TYPES.map((t) => pct[col(t)])).toEqual(['33.3', '33.3', '33.3', '0.0', '0.0', '0.0', '33.3']);
    expect(pct[col('flags')]).toBe('report: 3 verified cells (target 100); fewer than the target: percentages imprecise; no reason given: no H/L flags; erythroblast per 100 WBC (outside the 100%); rounded to 0.1 the percentages add up to 99.9');
  });
  it('the annotated PNG\'s footer says how many of its WBC boxes are typed NRBC (audit 2026-12-07, report)', () => {
    // a field whose one WBC was typed NRBC: the report's Appendix A reads WBC 0, NRBC 1, the counts CSV wbc 1,
    // erythroblast 1, wbc_less_nrbc 0; the picture sent on alone said "WBC 1" with nothing of the NRBC
    const nrbc: Detection = { ...d('WBC', 40), wbc: { type: 'erythroblast', p: 0.9, origin: 'model', verified: true } };
    const im: ExportImage = { ...images[1], detections: [d('RBC', 0), nrbc] };
    const rel = { state: 'preliminary' as const, verifiedBy: '', releasedAt: '', revision: '', withdrawn: '' };
    expect(pngFooter(im, 'b.jpg', 'S-1', rel)).toBe('Sample S-1 · b.jpg: RBC 1, WBC 1 (1 typed NRBC), PLT 0 · PRELIMINARY: not verified, not for clinical use.');
    expect(pngFooter(images[1], 'b.jpg', 'S-1', rel)).toBe('Sample S-1 · b.jpg: RBC 0, WBC 0, PLT 1 · PRELIMINARY: not verified, not for clinical use.');
  });
  it('names each file that could not be counted, with why, in a row of its own and in no total', () => {
    const rows = countsCsv(images, { release: { state: 'preliminary', verifiedBy: '', releasedAt: '', revision: '', withdrawn: '' }, differential: differentialState(images.flatMap((im) => im.detections), DEFAULT_RULES, 0.6), notCounted: [{ name: 'broken.jpg', error: 'The file is not an image the browser can read.' }] })
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = (n: string) => rows[0].indexOf(n);
    const row = rows.find((r) => r[0] === 'broken.jpg')!;
    expect(row[col('flags')]).toBe('not-counted: The file is not an image the browser can read.');
    expect(row[col('in_totals')]).toBe('false');
    expect([row[col('rbc')], row[col('wbc')], row[col('platelets')]]).toEqual(['', '', '']);
    expect(row).toHaveLength(rows[0].length);
    // before TOTAL, which counts only the counted images
    expect(rows.findIndex((r) => r[0] === 'broken.jpg')).toBeLessThan(rows.findIndex((r) => r[0] === 'TOTAL'));
    expect(rows.find((r) => r[0] === 'TOTAL')![col('in_totals')]).toBe('');
    expect(rows.find((r) => r[0] === 'TOTAL')![col('in_totals_images')]).toBe('2');
  });
  it('writes the differential row in % at one decimal, as a lab report does (2 of 3: 66.7), counts as integers', () => {
    const neu = { ...d('WBC', 300), wbc: { type: 'neutrophil' as const, p: 0.9, origin: 'model' as const } };
    const im: ExportImage = { ...images[1], detections: [neu, { ...neu, box: { ...neu.box, x1: 400, x2: 440 } }, d('WBC', 500)] };
    const rows = countsCsv([im], everyTyped([im])).trim().split('\r\n').map((l) => l.split(','));
    expect(rows.at(-1)!.slice(9, 13)).toEqual(['66.7', '0.0', '0.0', '33.3']);
    // the counts above it stay whole numbers
    expect(rows.find((r) => r[0] === 'TOTAL')!.slice(9, 13)).toEqual(['2', '0', '0', '1']);
    // 5 of 8: 62.5 (not 62.5000); erythroblasts per 100 WBC at one decimal too (1 per 8 WBC: 12.5)
    const eight: Detection[] = Array.from({ length: 8 }, (_, i) => ({ ...neu, id: `m${i}`, box: { x1: 60 * i, y1: 0, x2: 60 * i + 40, y2: 40 }, wbc: { ...neu.wbc, type: i < 5 ? ('neutrophil' as const) : ('lymphocyte' as const) } }));
    const nrbc: Detection = { ...neu, id: 'm9', box: { x1: 600, y1: 100, x2: 630, y2: 130 }, wbc: { ...neu.wbc, type: 'erythroblast' } };
    const im8: ExportImage = { ...images[1], detections: [...eight, nrbc] };
    const header = rows[0];
    const pct = countsCsv([im8], everyTyped([im8])).trim().split('\r\n').at(-1)!.split(',');
    expect([pct[header.indexOf('neutrophil')], pct[header.indexOf('lymphocyte')], pct[header.indexOf('erythroblast')]]).toEqual(['62.5', '37.5', '12.5']);
    // every % cell of the row has exactly one decimal
    for (const t of ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast']) expect(pct[header.indexOf(t)]).toMatch(/^\d+\.\d$/);
  });
  it('records flags per image and leaves an unaccepted not-smear image out of TOTAL and the differential', () => {
    const rows = countsCsv([...images, flagged], everyTyped(images)).trim().split('\r\n').map((l) => l.split(','));
    expect(rows[3].slice(0, 19)).toEqual(['grid.png', '1', '1', '0', 'false', 'false', 'all', '', '', '0', '0', '0', '1', '0', '0', '0', 'not-smear unfamiliar-colour', 'false', 'false']);
    expect(rows[4].slice(0, 4)).toEqual(['TOTAL', '2', '1', '1']);
    expect(rows[4][rows[0].indexOf('in_totals_images')]).toBe('2');
    expect(rows[5].slice(9, 16)).toEqual(['0.0', '0.0', '0.0', '100.0', '0.0', '0.0', '0.0']);
    expect(countsCsv([...images, { ...flagged, inTotals: true, flagsAccepted: true }]).split('\r\n')[4].split(',').slice(0, 4)).toEqual(['TOTAL', '3', '2', '1']);
  });
  it('records, next to the flags, that the technician accepted a flagged image (audit 2026-12-05)', () => {
    const accepted: ExportImage = { ...flagged, name: 'kept.png', inTotals: true, flagsAccepted: true };
    const rows = countsCsv([images[1], flagged, accepted]).trim().split('\r\n').map((l) => l.split(','));
    const col = (name: string) => rows[0].indexOf(name);
    expect(col('flags_accepted')).toBe(col('flags') + 1);
    // a clean image: nothing to accept; grid.png left out; kept.png counted by the technician's choice
    expect(rows.slice(1).map((r) => [r[0], r[col('flags_accepted')], r[col('in_totals')]])).toEqual([
      ['b.jpg', '', 'true'],
      ['grid.png', 'false', 'false'],
      ['kept.png', 'true', 'true'],
      // TOTAL: no true/false; how many images were counted by acceptance, of how many counted, in columns of their own
      ['TOTAL', '', ''],
      ['DIFFERENTIAL_%', '', ''],
    ]);
    const total = rows.find((r) => r[0] === 'TOTAL')!;
    expect([total[col('flags_accepted_images')], total[col('in_totals_images')], total[col('reviewed')], total[col('edited')]]).toEqual(['1', '2', '', '']);
    expect(JSON.parse(boxesJson([accepted, images[1]])).map((im: { flags_accepted: boolean | null }) => im.flags_accepted)).toEqual([true, null]);
    expect(JSON.parse(cocoJson([accepted])).images[0]).toMatchObject({ flags_accepted: true, in_totals: true });
    expect(vocFiles([accepted])[0].data).toContain('flags: not-smear unfamiliar-colour (accepted by the technician: counted)');
  });
  it('keeps every header lowercase snake_case (units where the value has one)', () => {
    const heads = [countsCsv(images), boxesCsv(images)].flatMap((c) => c.split('\r\n')[0].split(','));
    expect(heads.filter((h) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(h))).toEqual([]);
    expect(boxesCsv(images).split('\r\n')[0]).toContain('x1_px,y1_px,x2_px,y2_px');
  });
  it('records flags in the COCO, box JSON and VOC exports', () => {
    expect(JSON.parse(cocoJson([flagged])).images[0]).toMatchObject({ flags: ['not-smear', 'unfamiliar-colour'], flags_accepted: false, in_totals: false });
    expect(JSON.parse(boxesJson([flagged]))[0]).toMatchObject({ flags: ['not-smear', 'unfamiliar-colour'], flags_accepted: false, in_totals: false });
    expect(vocFiles([flagged])[0].data).toContain('flags: not-smear unfamiliar-colour (left out of the totals)');
  });
  it('exports boxes with their origin, and the release on every row (never released, without one)', () => {
    const lines = boxesCsv(images).trim().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('image,class,score,x1_px,y1_px,x2_px,y2_px,origin,cut_by_border,count_rule,wbc_type,wbc_p,wbc_type_origin,counted,left_out,wbc_verified,wbc_category,wbc_note,report_state,verified_by,released_at,release_revision,withdrawn_reason,replaces_release');
    // a box a technician set (origin manual) has no model score: the cell is blank
    expect(lines[3]).toBe('"a,1.jpg",WBC,,40,0,50,10,manual,true,all,eosinophil,0.9000,model,true,,false,,,preliminary,,,,,');
    expect(lines[1]).toBe('"a,1.jpg",RBC,0.5000,0,0,10,10,model,true,all,,,,true,,,,,preliminary,,,,,');
    const rel = { state: 'released' as const, verifiedBy: 'C. Doe', releasedAt: '2026-12-06T10:00:00+01:00', revision: '0123abcd', withdrawn: '' };
    for (const l of boxesCsv(images, rel).trim().split('\r\n').slice(1)) expect(l.endsWith(',released,C. Doe,2026-12-06T10:00:00+01:00,0123abcd,,')).toBe(true);
    // d('RBC', 20) is 20-30 x 0-10: its top edge is at the image border, so it is cut (the quoted name holds a comma).
    expect(lines[2].split(',')[9]).toBe('true');
  });
});

describe('boxes a technician set', () => {
  // the model's output: an RBC at 0.91, a WBC at 0.8 typed neutrophil at 0.7, and a platelet at 0.66
  const raw: Detection[] = [
    { id: 'm0', cls: 'RBC', score: 0.91, box: { x1: 100, y1: 100, x2: 140, y2: 140 }, origin: 'model' },
    { id: 'm1', cls: 'WBC', score: 0.8, box: { x1: 200, y1: 100, x2: 280, y2: 180 }, origin: 'model' },
    { id: 'm2', cls: 'Platelets', score: 0.66, box: { x1: 300, y1: 100, x2: 312, y2: 112 }, origin: 'model' },
  ];
  const probs = { m1: WBC_TYPES.map((t) => (t === 'neutrophil' ? 0.7 : 0.05)) };
  /** The shown detections after the technician's edits, as the store derives them. */
  const shown = (e = NO_EDITS) => applyTypes(applyEdits(raw, e), e.typed, probs, WBC_TYPES);
  const image = (dets: Detection[]): ExportImage => ({ name: 'f.jpg', width: 640, height: 480, detections: dets, reviewed: true, edited: true, countRule: 'all' });

  it('a relabelled box is marked set by hand, and no export gives the old class\'s score as the new label\'s', () => {
    // RBC 0.91 relabelled Platelets; a WBC typed lymphocyte by hand; a platelet drawn by hand
    let e = relabelBox.perform(NO_EDITS, { id: 'm0', cls: 'Platelets' });
    e = reclassifyCell.perform(e, { id: 'm1', to: 'lymphocyte' });
    e = addBox.perform(e, { cls: 'Platelets', box: { x1: 400, y1: 100, x2: 412, y2: 112 }, width: 640, height: 480 });
    const dets = shown(e);
    expect(dets.map((d) => `${d.id}:${d.cls}:${d.origin}`)).toEqual(['m0:Platelets:manual', 'm1:WBC:model', 'm2:Platelets:model', 'u0:Platelets:manual']);

    const csv = boxesCsv([image(dets)]).trim().split('\r\n').map((l) => l.split(','));
    const col = (n: string) => csv[0].indexOf(n);
    const row = (id: number) => csv[id + 1];
    // the relabelled box: Platelets, set by hand, no score (it was 0.91 for RBC)
    expect([row(0)[col('class')], row(0)[col('score')], row(0)[col('origin')]]).toEqual(['Platelets', '', 'manual']);
    // the WBC's box is still the model's (0.8), its type the technician's: no classifier p for it
    expect([row(1)[col('score')], row(1)[col('wbc_type')], row(1)[col('wbc_p')], row(1)[col('wbc_type_origin')]]).toEqual(['0.8000', 'lymphocyte', '', 'manual']);
    // untouched: the model's score stays
    expect([row(2)[col('score')], row(2)[col('origin')]]).toEqual(['0.6600', 'model']);
    // drawn: its internal 1 is no confidence
    expect([row(3)[col('score')], row(3)[col('origin')]]).toEqual(['', 'manual']);
    expect(csv.flat()).not.toContain('0.9100');

    const json = JSON.parse(boxesJson([image(dets)]))[0].detections;
    expect(json.map((x: { score: number | null; origin: string }) => [x.score, x.origin])).toEqual([
      [null, 'manual'],
      [0.8, 'model'],
      [0.66, 'model'],
      [null, 'manual'],
    ]);
    expect(json[1]).toMatchObject({ wbc_type: 'lymphocyte', wbc_p: null, wbc_type_origin: 'manual' });
    const coco = JSON.parse(cocoJson([image(dets)])).annotations;
    expect(coco.map((a: { score: number | null; origin: string; category_id: number }) => [a.score, a.origin, a.category_id])).toEqual([
      [null, 'manual', 3],
      [0.8, 'model', 2],
      [0.66, 'model', 3],
      [null, 'manual', 3],
    ]);
    expect(coco[1].wbc_p).toBeNull();
    // the canvas's label of the relabelled box says set by hand, not "Platelets 0.91"
    expect(scoreText(dets[0])).toBe('manual');
    expect(scoreText(dets[2])).toBe('0.66');
  });

  it('before any edit, every score and p is the model\'s', () => {
    const csv = boxesCsv([image(shown())]).trim().split('\r\n').map((l) => l.split(','));
    expect(csv.slice(1).map((r) => [r[2], r[11]])).toEqual([
      ['0.9100', ''],
      ['0.8000', '0.7000'],
      ['0.6600', ''],
    ]);
  });
});

describe('COCO and VOC exports', () => {
  it('writes COCO bboxes as x,y,w,h with label-order category ids', () => {
    const c = JSON.parse(cocoJson(images));
    expect(c.categories.map((x: { id: number; name: string }) => [x.id, x.name])).toEqual([[1, 'RBC'], [2, 'WBC'], [3, 'Platelets']]);
    expect(c.annotations).toHaveLength(4);
    expect(c.annotations[2]).toMatchObject({ image_id: 1, category_id: 2, bbox: [40, 0, 10, 10], area: 100 });
  });
  it('marks the boxes cut by the border in COCO, as the box CSV and JSON do', () => {
    const c = JSON.parse(cocoJson(images));
    const j = JSON.parse(boxesJson(images)) as { detections: { cut_by_border: boolean }[] }[];
    expect(c.annotations.map((a: { cut_by_border: boolean }) => a.cut_by_border)).toEqual(j.flatMap((im) => im.detections.map((x) => x.cut_by_border)));
    // every box of the fixture touches the top edge (y1 = 0)
    expect(c.annotations.every((a: { cut_by_border: boolean }) => a.cut_by_border === true)).toBe(true);
    const inside: ExportImage = { ...images[1], detections: [{ ...d('RBC', 100), box: { x1: 100, y1: 100, x2: 120, y2: 120 } }] };
    expect(JSON.parse(cocoJson([inside])).annotations[0].cut_by_border).toBe(false);
  });
  it('marks a WBC set apart as smudge or other in COCO, as the boxes JSON does (audit 2026-12-05)', () => {
    const wbc = d('WBC', 100);
    const smudge: Detection = { ...wbc, wbc: { ...wbc.wbc!, verified: true, category: 'smudge' } };
    const im: ExportImage = { ...images[1], detections: [wbc, smudge] };
    const c = JSON.parse(cocoJson([im]));
    expect(c.annotations.map((a: { wbc_type: string; wbc_category?: string }) => [a.wbc_type, a.wbc_category])).toEqual([
      ['eosinophil', undefined],
      ['eosinophil', 'smudge'],
    ]);
    expect(c.annotations[1].wbc_category).toBe(JSON.parse(boxesJson([im]))[0].detections[1].wbc_category);
  });
  it('writes the release, and the models where given, in each VOC file\'s <smearcount> element', () => {
    const rel = { state: 'withdrawn' as const, verifiedBy: '', releasedAt: '', revision: '', withdrawn: 'a.jpg: RBC box deleted' };
    const [x] = vocFiles(images, rel, 'det sha256:ab; engine wasm x1');
    const el = /<smearcount>([\s\S]*)<\/smearcount>/.exec(x.data)![1];
    expect(el).toContain('<report_state>withdrawn</report_state>');
    expect(el).toContain('<withdrawn_reason>a.jpg: RBC box deleted</withdrawn_reason>');
    expect(el).toContain('<models>det sha256:ab; engine wasm x1</models>');
    expect(vocFiles(images)[0].data).toContain('<report_state>preliminary</report_state>');
    expect(vocFiles(images)[0].data).not.toContain('<models>');
  });
  it('writes one VOC file per image that parses back to the same boxes', () => {
    const files = vocFiles(images);
    expect(files.map((f) => f.name)).toEqual(['a,1.xml', 'b.xml']);
    expect(parseVoc(files[0].data).objects.map((o) => o.cls)).toEqual(['RBC', 'RBC', 'WBC']);
    // Cut cells are marked with VOC's own <truncated>, and the count rule is recorded.
    expect(files[0].data).toContain('<truncated>1</truncated>');
    expect(files[0].data).toContain('<annotation>smearcount; count rule: all</annotation>');
    expect(JSON.parse(cocoJson(images)).info.count_rule).toBe('all');
  });
});

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('writes a valid archive layout', () => {
    const z = zip([{ name: 'a.txt', data: 'hello' }, { name: 'b.txt', data: 'world!' }]);
    const v = new DataView(z.buffer);
    expect(v.getUint32(0, true)).toBe(0x04034b50);
    const end = z.length - 22;
    expect(v.getUint32(end, true)).toBe(0x06054b50);
    expect(v.getUint16(end + 10, true)).toBe(2);
    const cdOffset = v.getUint32(end + 16, true);
    expect(v.getUint32(cdOffset, true)).toBe(0x02014b50);
    expect(new TextDecoder().decode(z.slice(30 + 5, 30 + 10))).toBe('hello');
  });
  it('is read back by an independent reader (Info-ZIP unzip -t and unzip -p)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smearcount-zip-'));
    const path = join(dir, 'voc.zip');
    const xml = vocFiles(images)[0].data;
    writeFileSync(path, zip([{ name: 'a,1.xml', data: xml }, { name: 'dir/b.txt', data: 'ünïcode ✓' }]));
    const test = execFileSync('unzip', ['-t', path]).toString();
    expect(test).toMatch(/No errors detected/);
    expect(execFileSync('unzip', ['-p', path, 'a,1.xml']).toString()).toBe(xml);
    expect(execFileSync('unzip', ['-p', path, 'dir/b.txt']).toString()).toBe('ünïcode ✓');
  });
});

describe('same stem, two extensions', () => {
  it('field1.jpg and field1.png give two VOC files (names made unique after the extension swap)', () => {
    const batch: ExportImage[] = [
      { ...images[1], name: 'field1.jpg', id: 'aaaaaa11' },
      { ...images[1], name: 'field1.png', id: 'bbbbbb22' },
      { ...images[1], name: 'other.jpg', id: 'cccccc33' },
    ];
    const names = vocFiles(batch).map((f) => f.name);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    expect(names).toEqual(['field1-aaaaaa.xml', 'field1-bbbbbb.xml', 'other.xml']);
    // the annotated PNG is named the same way, without the extension
    expect(uniqueNames(batch, '')).toEqual(['field1-aaaaaa', 'field1-bbbbbb', 'other']);
  });
});

describe('same file name, two folders', () => {
  const twin = (over: Partial<ExportImage>): ExportImage => ({ ...images[1], name: 'BloodImage_00339.jpg', ...over });
  const batches: [string, ExportImage[], string[]][] = [
    ['with their folder paths', [twin({ path: 'day1/BloodImage_00339.jpg', id: 'aa11' }), twin({ path: 'day2/BloodImage_00339.jpg', id: 'bb22' })], ['day1/BloodImage_00339', 'day2/BloodImage_00339']],
    ['without paths (a suffix from the id)', [twin({ id: 'abc123ff' }), twin({ id: 'def456ff' })], ['BloodImage_00339-abc123', 'BloodImage_00339-def456']],
  ];
  for (const [how, batch, stems] of batches) {
    it(`stay two in VOC (listed by unzip -Z1), COCO, both CSVs and the JSON, ${how}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'smearcount-twins-'));
      const path = join(dir, 'voc.zip');
      writeFileSync(path, zip(vocFiles(batch)));
      const listed = execFileSync('unzip', ['-Z1', path]).toString().trim().split('\n');
      expect(listed).toEqual(stems.map((s) => `${s}.xml`));
      const coco = JSON.parse(cocoJson(batch));
      expect(coco.images.map((i: { file_name: string }) => i.file_name)).toEqual(stems.map((s) => `${s}.jpg`));
      const rows = countsCsv(batch).trim().split('\r\n').slice(1, 3).map((l) => l.split(',')[0]);
      expect(rows).toEqual(stems.map((s) => `${s}.jpg`));
      expect(new Set(boxesCsv(batch).trim().split('\r\n').slice(1).map((l) => l.split(',')[0])).size).toBe(2);
      expect(JSON.parse(boxesJson(batch)).map((i: { image: string }) => i.image)).toEqual(stems.map((s) => `${s}.jpg`));
      // The XML still names the image file it describes.
      expect(parseVoc(vocFiles(batch)[1].data).filename).toBe('BloodImage_00339.jpg');
    });
  }
});

describe('sniffImage', () => {
  it('reads PNG size', () => {
    const b = new Uint8Array(24);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    new DataView(b.buffer).setUint32(16, 8000);
    new DataView(b.buffer).setUint32(20, 9000);
    expect(sniffImage(b)).toEqual({ kind: 'png', width: 8000, height: 9000 });
  });
  it('reads JPEG size from the SOF marker after an APP segment', () => {
    const b = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0xe0, 0x02, 0x80, 3, 0, 0, 0, 0]);
    expect(sniffImage(b)).toEqual({ kind: 'jpeg', width: 640, height: 480 });
  });
  it('reads BMP size and detects TIFF and non-images', () => {
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true);
    expect(sniffImage(bmp)).toEqual({ kind: 'bmp', width: 640, height: 480 });
    expect(sniffImage(new Uint8Array([0x49, 0x49, 0x2a, 0]))).toEqual({ kind: 'tiff' });
    expect(sniffImage(new TextEncoder().encode('hello world, not an image'))).toBeNull();
    // HEIF files by their brands: an iPhone's HEIC, an AVIF (ffmpeg's), an MP4 video (no image)
    const ftyp = (...brands: string[]) => {
      const b = new Uint8Array(8 + 4 * (brands.length + 1));
      new DataView(b.buffer).setUint32(0, b.length);
      b.set(new TextEncoder().encode('ftyp'), 4);
      b.set(new TextEncoder().encode(brands[0]), 8);
      brands.slice(1).forEach((x, i) => b.set(new TextEncoder().encode(x), 16 + 4 * i));
      return b;
    };
    expect(sniffImage(ftyp('heic', 'mif1', 'heic'))).toEqual({ kind: 'heic' });
    expect(sniffImage(ftyp('mif1', 'mif1', 'heic'))).toEqual({ kind: 'heic' });
    expect(sniffImage(ftyp('avif', 'avif', 'mif1', 'miaf'))).toEqual({ kind: 'avif' });
    expect(sniffImage(ftyp('isom', 'isom', 'mp42'))).toBeNull();
    // its size from the largest 'ispe' property (a thumbnail's is smaller)
    const ispe = (w: number, h: number) => {
      const p = new Uint8Array(20);
      const v = new DataView(p.buffer);
      v.setUint32(0, 20);
      p.set(new TextEncoder().encode('ispe'), 4);
      v.setUint32(12, w);
      v.setUint32(16, h);
      return p;
    };
    const f = ftyp('heic', 'mif1', 'heic');
    const withSize = new Uint8Array([...f, ...ispe(320, 240), ...ispe(4032, 3024)]);
    expect(sniffImage(withSize)).toEqual({ kind: 'heic', width: 4032, height: 3024 });
    expect(sniffImage(new Uint8Array(0))).toBeNull();
  });
});

describe('sniffImage: a JPEG\'s EXIF orientation (a phone held on its side)', () => {
  // SOI, APP1 Exif with one directory entry, then a baseline SOF0 of 640x480
  const jpeg = (orientation: number, little: boolean, tag = 0x0112) => {
    const u16 = (v: number) => (little ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);
    const u32 = (v: number) => (little ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
    const tiff = [...(little ? [0x49, 0x49, 0x2a, 0] : [0x4d, 0x4d, 0, 0x2a]), ...u32(8), ...u16(2), ...u16(0x010f), ...u16(2), ...u32(4), 0x41, 0x42, 0x43, 0, ...u16(tag), ...u16(3), ...u32(1), ...u16(orientation), 0, 0, ...u32(0)];
    const body = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    const sof = [0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
    return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body, ...sof, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  };
  it('reads the tag in either byte order, after another entry; the size stays as stored', () => {
    expect(sniffImage(jpeg(6, true))).toEqual({ kind: 'jpeg', width: 640, height: 480, orientation: 6 });
    expect(sniffImage(jpeg(8, false))).toEqual({ kind: 'jpeg', width: 640, height: 480, orientation: 8 });
    expect(sniffImage(jpeg(3, false))?.orientation).toBe(3);
  });
  it('says nothing for orientation 1, an invalid value or no orientation tag', () => {
    expect(sniffImage(jpeg(1, true))).toEqual({ kind: 'jpeg', width: 640, height: 480 });
    expect(sniffImage(jpeg(9, true))).toEqual({ kind: 'jpeg', width: 640, height: 480 });
    expect(sniffImage(jpeg(6, true, 0x0110))).toEqual({ kind: 'jpeg', width: 640, height: 480 });
  });
});

describe('sniffOther: what a dropped file that is no image is (audit 2026-12-05: a PDF was "Not an image" and no more)', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const zipOf = (entry: string) => {
    const b = new Uint8Array(30 + entry.length);
    b.set([0x50, 0x4b, 3, 4]);
    new DataView(b.buffer).setUint16(26, entry.length, true);
    b.set(enc(entry), 30);
    return b;
  };
  const ftyp = (brand: string) => new Uint8Array([0, 0, 0, 24, ...enc('ftyp'), ...enc(brand), 0, 0, 0, 0]);
  it('tells a PDF, an Office document and a ZIP apart', () => {
    expect(sniffOther(enc('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('pdf');
    expect(sniffOther(zipOf('[Content_Types].xml'))).toBe('office');
    expect(sniffOther(zipOf('word/document.xml'))).toBe('office');
    expect(sniffOther(zipOf('smears/field-01.jpg'))).toBe('zip');
  });
  it('leaves anything else to the generic message', () => {
    expect(sniffOther(enc('hello world, not an image'))).toBeNull();
    expect(sniffOther(ftyp('isom'))).toBeNull(); // an MP4 video
    expect(sniffOther(new Uint8Array(0))).toBeNull();
  });
});
