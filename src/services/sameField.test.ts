import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { createAppStore } from '../store/store';
import { watchSameField } from './sameField';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };

/** 20 RBCs on a grid with a little irregularity, at scale k (a 640x480 field and its copies). */
function cells(k: number, seed = 0): Detection[] {
  return Array.from({ length: 20 }, (_, i) => {
    const x = (40 + (i % 5) * 110 + ((i * 37 + seed * 53) % 23)) * k;
    const y = (30 + Math.floor(i / 5) * 105 + ((i * 17 + seed * 29) % 19)) * k;
    return { id: `m${i}`, cls: 'RBC' as const, score: 0.9, box: { x1: x, y1: y, x2: x + 44 * k, y2: y + 44 * k }, origin: 'model' as const };
  });
}

describe('one field dropped twice at different sizes', () => {
  it('is said once the batch settles, naming both files, and only once', () => {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.setModel({ status: 'ready' });
    watchSameField(store);
    st.addImage({ id: 'a', name: 'field-7.jpg', bytes: 10 });
    st.addImage({ id: 'b', name: 'other.jpg', bytes: 10 });
    st.addImage({ id: 'c', name: 'field-7-big.png', bytes: 10 });
    st.updateImage('a', { status: 'done', width: 640, height: 480, raw: cells(1) });
    st.updateImage('b', { status: 'done', width: 640, height: 480, raw: cells(1, 5).map((d) => ({ ...d, box: { ...d.box, x1: d.box.x1 + 31, x2: d.box.x2 + 31 } })) });
    expect(store.getState().notices).toEqual([]);
    // the last image counted: the batch settles and the copy is found
    st.updateImage('c', { status: 'done', width: 8000, height: 6000, raw: cells(12.5) });
    const said = store.getState().notices.filter((n) => n.source === 'batch');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ kind: 'warning', subject: 'field-7-big.png' });
    expect(said[0].message).toMatch(/^field-7-big\.png shows the same field as field-7\.jpg .*: remove one of them\.$/);
    // two more copies, of both fields: one warning that names them, not one each
    st.addImage({ id: 'e', name: 'field-7-small.jpg', bytes: 10 });
    st.addImage({ id: 'f', name: 'other-again.jpg', bytes: 10 });
    st.updateImage('e', { status: 'done', width: 320, height: 240, raw: cells(0.5) });
    st.updateImage('f', { status: 'done', width: 1280, height: 960, raw: store.getState().images.b.raw!.map((d) => ({ ...d, box: { x1: d.box.x1 * 2, y1: d.box.y1 * 2, x2: d.box.x2 * 2, y2: d.box.y2 * 2 } })) });
    const more = store.getState().notices.filter((n) => n.source === 'batch');
    expect(more).toHaveLength(2);
    expect(more[1].message).toMatch(/^2 images show a field another image of this batch shows too \(.*\): field-7-small\.jpg = field-7\.jpg; other-again\.jpg = other\.jpg\. Each is counted/);
    // dismissed, it is not said again when the batch settles once more
    st.dismissNotices();
    st.addImage({ id: 'd', name: 'late.jpg', bytes: 10 });
    st.updateImage('d', { status: 'done', width: 640, height: 480, raw: [] });
    expect(store.getState().order).toHaveLength(6);
    expect(store.getState().notices).toEqual([]);
  });
});
