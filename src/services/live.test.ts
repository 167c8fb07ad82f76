import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../core/errors';
import type { Quality } from '../core/quality/assess';
import type { FlagCode } from '../core/quality/flags';
import type { ImageEntry } from '../store/types';
import type { Detection } from '../core/detection/detection';
import type { WbcType } from '../core/differential/differential';
import { DEFAULT_RULES, differentialState } from '../core/differential/rules';
import { cameraError, cameraUnavailable, fieldSignatures, flaggedFields, flaggedWords, leftOutFields, leftOutWords, liveName, nextLiveNumber, removedByHand, runsInstalled, wbcTowardTarget } from './live';
import { KeyedDb } from './idb';

describe('live mode helpers', () => {
  it('a field is removed by hand while the audit trail last says the technician took it out (not put back by Undo, not replaced)', () => {
    const line = (action: string, image: string, from: string, to: string, field = 'image') => ({ at: '', image, action, cell: '', field, from, to });
    const audit = [
      line('remove-image', 'live-0001.jpg', 'RBC 26, WBC 1, PLT 2', 'removed'),
      line('remove-image', 'live-0002.jpg', 'RBC 20, WBC 0, PLT 3', 'removed'),
      line('undo', 'live-0002.jpg', 'removed', 'RBC 20, WBC 0, PLT 3'),
      line('replace-image', 'live-0003.jpg', 'RBC 18, WBC 0, PLT 1', 'replaced by a sharper view of the same field'),
      line('delete', 'live-0004.jpg', 'no', 'yes', 'deleted'),
      line('redo', 'live-0005.jpg', 'RBC 9, WBC 0, PLT 0', 'removed'),
    ];
    expect(['live-0001.jpg', 'live-0002.jpg', 'live-0003.jpg', 'live-0004.jpg', 'live-0005.jpg', 'live-0006.jpg'].filter((n) => removedByHand(audit, n))).toEqual(['live-0001.jpg', 'live-0005.jpg']);
  });

  it('names captured fields live-0001.jpg on, continuing after the batch\'s live fields', () => {
    expect(liveName(1)).toBe('live-0001.jpg');
    expect(nextLiveNumber([])).toBe(1);
    expect(nextLiveNumber(['a.jpg', 'live-0002.jpg', 'live-0009.jpg', 'live-x.jpg'])).toBe(10);
  });

  it('turns the camera\'s refusals into coded errors with a sentence', () => {
    const err = (name: string) => Object.assign(new Error('browser says no'), { name });
    expect(cameraError(err('NotAllowedError')).code).toBe('camera-denied');
    expect(cameraError(err('NotFoundError')).code).toBe('no-camera');
    expect(cameraError(err('OverconstrainedError')).code).toBe('no-camera');
    expect(cameraError(err('NotReadableError')).code).toBe('camera-failed');
    expect(errorMessage(cameraError(err('NotAllowedError'), false))).toMatch(/allow this site to use the camera/);
  });

  it('sends a refused camera to the address bar in a browser tab, and to the settings where the app runs installed', () => {
    const err = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const inTab = errorMessage(cameraError(err, false));
    const installed = errorMessage(cameraError(err, true));
    for (const m of [inTab, installed]) expect(m).toMatch(/^The camera was not allowed\. .* then press Live again\. Nothing from the camera leaves this device\.$/);
    expect(inTab).toContain('beside the address');
    // an installed app's window has no address bar: never advise one there
    expect(installed).not.toMatch(/beside the address|address bar\)|lock or camera icon/);
    expect(installed).toContain('this installed app has no address bar');
    expect(installed).toMatch(/Site settings › Camera/);
    expect(installed).toMatch(/App info/);
    // the other refusals do not depend on it
    const missing = Object.assign(new Error('none'), { name: 'NotFoundError' });
    expect(errorMessage(cameraError(missing, true))).toBe(errorMessage(cameraError(missing, false)));
  });

  it('tells an installed app (display-mode standalone, or iOS home-screen standalone) from a browser tab', () => {
    const media = (standalone: boolean) => (q: string) => ({ matches: standalone && q === '(display-mode: standalone)' });
    expect(runsInstalled({ matchMedia: media(true), navigator: {} })).toBe(true);
    expect(runsInstalled({ matchMedia: media(false), navigator: {} })).toBe(false);
    expect(runsInstalled({ matchMedia: media(false), navigator: { standalone: true } })).toBe(true);
    expect(runsInstalled({ navigator: { standalone: false } })).toBe(false);
    // no matchMedia at all (a worker, Node): a browser tab's advice
    expect(runsInstalled({})).toBe(false);
    expect(cameraError(Object.assign(new Error(''), { name: 'NotAllowedError' }), runsInstalled({ matchMedia: media(true) }))).toMatchObject({ code: 'camera-denied', installed: true });
  });

  it('names the captured fields a flag keeps out of the totals, with the flags that do it', () => {
    const field = (name: string, flags: FlagCode[], more: Partial<ImageEntry> = {}): ImageEntry => ({
      id: name,
      name,
      bytes: 1,
      status: 'done',
      quality: { flags } as unknown as Quality,
      edits: {},
      history: { past: [], future: [] },
      reviewed: false,
      ...more,
    } as ImageEntry);
    expect(
      leftOutFields([
        field('live-0001.jpg', []),
        field('live-0002.jpg', ['noisy', 'wbc-type-unsure']),
        // advisory flags count: not left out
        field('live-0003.jpg', ['unfamiliar-colour']),
        // accepted by the technician ("Count it anyway"): counted
        field('live-0004.jpg', ['out-of-focus'], { flagsAccepted: true }),
        // not counted yet: no verdict
        field('live-0005.jpg', [], { status: 'running' }),
        field('live-0006.jpg', ['not-smear', 'out-of-focus']),
        // its count failed (before: in no count, and not said to be left out)
        field('live-0007.jpg', [], { status: 'error', error: 'The detector failed.' }),
      ]),
    ).toEqual([
      { name: 'live-0002.jpg', flags: ['grainy'] },
      { name: 'live-0006.jpg', flags: ['not a smear', 'out of focus'] },
      { name: 'live-0007.jpg', flags: ['could not be counted'] },
    ]);
    // counted, with a flag that leaves nothing out: said too (a small field of view asks for the phone closer now),
    // not the WBC type doubt every differential has
    expect(
      flaggedFields([
        field('live-0001.jpg', ['wbc-type-unsure']),
        field('live-0002.jpg', ['small-field', 'platelet-clumps']),
        field('live-0003.jpg', ['noisy', 'small-field']),
        field('live-0004.jpg', ['small-field'], { status: 'running' }),
      ]),
    ).toEqual([{ name: 'live-0002.jpg', flags: ['small field', 'PLT clumps'] }]);
  });

  it('tells a page opened at a plain http:// address (a lab PC served on the network) why it has no camera', () => {
    // browsers offer the camera only to a secure page: elsewhere navigator.mediaDevices is missing, and the view
    // said "No camera was found … Live mode needs a phone or a computer with a camera" to a phone that has one
    const insecure = cameraUnavailable({ isSecureContext: false, navigator: {}, location: { origin: 'http://192.168.1.20:4173' } });
    expect(insecure?.code).toBe('camera-insecure');
    expect(errorMessage(insecure)).toBe(
      'This page was opened at a plain http:// address (http://192.168.1.20:4173), and browsers give the camera only to a secure page. Open the app at its https:// address (or at localhost on the computer that serves it), then press Live again; you can still add photos with Add images.',
    );
    expect(cameraUnavailable({ isSecureContext: true, navigator: {} })?.code).toBe('no-camera');
    expect(cameraUnavailable({ isSecureContext: true, navigator: { mediaDevices: { getUserMedia: () => undefined } } })).toBeNull();
  });

  it("counts toward the target the cells the differential's target counts: no erythroblast, smudge or other", () => {
    let k = 0;
    const wbc = (type: WbcType, extra: Partial<NonNullable<Detection['wbc']>> = {}): Detection => ({
      id: `m${k++}`,
      cls: 'WBC',
      score: 0.9,
      box: { x1: 0, y1: 0, x2: 10, y2: 10 },
      origin: 'model',
      wbc: { type, p: 0.9, origin: 'model', ...extra },
    });
    // 3 neutrophils and a lymphocyte, an NRBC, a smudge cell, and a WBC not typed yet
    const dets = [wbc('neutrophil'), wbc('neutrophil'), wbc('lymphocyte'), wbc('erythroblast'), wbc('neutrophil'), wbc('neutrophil', { category: 'smudge' }), { ...wbc('neutrophil'), wbc: undefined }];
    const d = differentialState(dets, DEFAULT_RULES, 0.6);
    // before, the bar counted every typed cell (5, the NRBC among them): "Target reached" came a cell early
    expect(d.typed).toBe(5);
    expect(wbcTowardTarget(d)).toBe(4);
    // once the technician verifies every one, the differential rests on as many
    const verified = differentialState(dets.map((x) => (x.wbc ? { ...x, wbc: { ...x.wbc, verified: true } } : x)), DEFAULT_RULES, 0.6);
    expect(verified.basedOn).toBe(wbcTowardTarget(d));
  });

  it('says which captured fields are not counted, and asks to check it, or them', () => {
    expect(leftOutWords([])).toBe('');
    expect(leftOutWords([{ name: 'live-0002.jpg', flags: ['grainy'] }])).toBe('live-0002.jpg not counted (grainy): check it after Stop');
    // before: "2 fields not counted (grainy): check it after Stop"
    expect(
      leftOutWords([
        { name: 'live-0002.jpg', flags: ['grainy'] },
        { name: 'live-0005.jpg', flags: ['grainy', 'out of focus'] },
      ]),
    ).toBe('2 fields not counted: live-0005.jpg (grainy, out of focus), live-0002.jpg (grainy). Check them after Stop');
    // the latest first, and the rest counted where there are more than four
    const many = [1, 2, 3, 4, 5].map((n) => ({ name: liveName(n), flags: ['grainy'] }));
    expect(leftOutWords(many)).toBe('5 fields not counted: live-0005.jpg (grainy), live-0004.jpg (grainy), live-0003.jpg (grainy), and 2 more. Check them after Stop');
    expect(leftOutWords(many.slice(0, 4))).toBe('4 fields not counted: live-0004.jpg (grainy), live-0003.jpg (grainy), live-0002.jpg (grainy), live-0001.jpg (grainy). Check them after Stop');
    expect(flaggedWords([])).toBe('');
    expect(flaggedWords([{ name: 'live-0002.jpg', flags: ['small field'] }])).toBe('live-0002.jpg counted, with a flag (small field)');
  });
});

describe('fieldSignatures', () => {
  it("keeps a field's signature over a reload (a new store on the same database), and Clear session empties it", async () => {
    const sig = { data: Float32Array.from({ length: 48 * 36 }, (_, i) => Math.sin(i) * 3.5), width: 48, height: 36 };
    await fieldSignatures(new KeyedDb('live-sig-test', 'signatures')).put('live-0001.jpg', sig);
    // the page reloaded: another connection reads it back whole, typed array included
    const again = fieldSignatures(new KeyedDb('live-sig-test', 'signatures'));
    const back = await again.get('live-0001.jpg');
    expect(back).toBeDefined();
    expect(back!.width).toBe(48);
    expect(back!.height).toBe(36);
    expect(back!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(back!.data)).toEqual(Array.from(sig.data));
    expect(await again.get('live-0002.jpg')).toBeUndefined();
    await again.clear();
    expect(await fieldSignatures(new KeyedDb('live-sig-test', 'signatures')).get('live-0001.jpg')).toBeUndefined();
  });
});
