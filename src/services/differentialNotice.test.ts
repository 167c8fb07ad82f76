import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { verifyCells } from '../core/edits/gallery';
import { selectDifferentialState } from '../store/selectors';
import { createAppStore } from '../store/store';
import { watchDifferentialTarget } from './differentialNotice';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const NEU = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];

/** A field of n typed WBCs on a grid (no two overlap, so none is suppressed), w0…w(n-1). */
function field(store: ReturnType<typeof createAppStore>, id: string, n: number) {
  const raw: Detection[] = Array.from({ length: n }, (_, i) => {
    const x = (i % 15) * 42;
    const y = Math.floor(i / 15) * 42;
    return { id: `w${i}`, cls: 'WBC', score: 0.9, box: { x1: x, y1: y, x2: x + 40, y2: y + 40 }, origin: 'model' };
  });
  store.getState().addImage({ id, name: `${id}.jpg`, bytes: 10 });
  store.getState().updateImage(id, { status: 'done', width: 640, height: 480, raw, wbc: Object.fromEntries(raw.map((d) => [d.id, NEU])) });
}

function batch(n: number) {
  const store = createAppStore(defaults);
  store.getState().setModel({ status: 'ready' });
  field(store, 'a', n);
  watchDifferentialTarget(store, 0.6);
  return store;
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `w${from + i}`);
const verify = (store: ReturnType<typeof createAppStore>, from: number, to: number) => store.getState().edit('a', verifyCells, { ids: ids(from, to), verified: true });
/** The differential's notices as shown: the start of each message, and how many times it was said. */
const said = (store: ReturnType<typeof createAppStore>) =>
  store
    .getState()
    .notices.filter((n) => n.source === 'differential')
    .map((n) => `${n.message.split(/[:;]/)[0]} ×${n.count}`);

describe('the differential target notices', () => {
  it('say the target reached and gone past once each, and withdraw what is no longer true (a new target, an undo)', () => {
    const store = batch(120);
    verify(store, 0, 99);
    expect(said(store)).toEqual([]);
    verify(store, 99, 100);
    expect(said(store)).toEqual(['Differential target reached ×1']);
    verify(store, 100, 105);
    expect(selectDifferentialState(store.getState()).over).toBe(5);
    expect(said(store)).toEqual(['Differential target reached ×1', 'The differential has gone past its target of 100 cells ×1']);
    // more cells past the target: nothing new to say
    verify(store, 105, 106);
    expect(said(store)).toHaveLength(2);
    // a target of 200, not reached: the panel says "106 WBC verified (target 200)", and so must the notices
    // (they said "target reached: 100" and "gone past 100" beside it)
    store.getState().setDiffRules({ target: 200 });
    expect(said(store)).toEqual([]);
    // back to 100: said again, once (it was "(×2)")
    store.getState().setDiffRules({ target: 100 });
    expect(said(store)).toEqual(['Differential target reached ×1', 'The differential has gone past its target of 100 cells ×1']);
    // undo below the target: the notices go with it; redo says it once more, afresh
    store.getState().undo(); // w105
    store.getState().undo(); // w100…w104
    expect(said(store)).toEqual(['Differential target reached ×1']);
    store.getState().undo(); // w99
    expect(selectDifferentialState(store.getState()).reached).toBe(false);
    expect(said(store)).toEqual([]);
    store.getState().redo();
    expect(said(store)).toEqual(['Differential target reached ×1']);
  });

  it('say when every WBC of the batch is verified short of the target, and withdraw it when a field brings more', () => {
    const store = batch(25);
    verify(store, 0, 24);
    expect(said(store)).toEqual([]);
    verify(store, 24, 25);
    expect(said(store)).toEqual(['Every WBC of the batch is verified, fewer than the target of 100 ×1']);
    store.getState().setDiffRules({ target: 200 });
    expect(said(store)).toEqual(['Every WBC of the batch is verified, fewer than the target of 200 ×1']);
    // a field with cells not yet verified: no longer true
    field(store, 'b', 3);
    expect(said(store)).toEqual([]);
  });
});
