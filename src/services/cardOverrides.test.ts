import { describe, expect, it } from 'vitest';
import cardJson from '../../models/smearcount-frcnn.json';
import { parseModelCard } from '../core/detection/card';
import { cardWithOverrides } from './cardOverrides';

const shipped = parseModelCard(cardJson);
const OTHER = 'ab'.repeat(32);
const of = (search: string) => cardWithOverrides(shipped, new URLSearchParams(search));

describe('the card with the URL options', () => {
  it('without ?model= is the shipped card', () => {
    expect(of('?backend=wasm')).toEqual(shipped);
    // a sha256 alone names no file: the shipped model is loaded and named
    expect(of(`?sha256=${OTHER}`)).toEqual(shipped);
  });
  it('with ?model= names the file loaded and its sha256, which the report, exports and images record', () => {
    const c = of(`?model=/bench-prev/prev.onnx&sha256=${OTHER}&native=640x480&scale=off`);
    expect(c).toMatchObject({ name: 'prev (?model=)', file: 'prev.onnx', sha256: OTHER, bytes: 0, nativeSize: { width: 640, height: 480 }, scale: null });
    expect(c.name).not.toBe(shipped.name);
    // what the detector does with boxes is still the card's (its classes, post-processing)
    expect([c.classes, c.postprocess]).toEqual([shipped.classes, shipped.postprocess]);
    expect(of(`?model=https://x/m%20v2.onnx?x=1&sha256=${OTHER}&bytes=123`)).toMatchObject({ file: 'm v2.onnx', bytes: 123 });
  });
  it('with ?model= and no sha256 names no model: the worker refuses a file it cannot check', () => {
    expect(of('?model=/other.onnx').sha256).toBe('');
  });
  it('the shipped file under another URL is the shipped model', () => {
    expect(of(`?model=/copy.onnx&sha256=${shipped.sha256}`)).toEqual(shipped);
  });
});
