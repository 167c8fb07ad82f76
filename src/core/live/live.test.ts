import { describe, expect, it } from 'vitest';
import { findCircularField } from '../quality/field';
import { pixelStats, type Rgba } from '../quality/pixels';
import { toGrey } from './grey';
import { CaptureJudge, LIVE_PARAMS, signatureOf } from './judge';
import { CALIBRATION } from '../quality/calibration';
import { fieldSignature, matchSignatures, seenBefore } from './signature';

/** A seeded slide: pink background with red cells and a few purple nuclei, larger than any view of it. */
function makeSlide(w: number, h: number, seed: number) {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const px = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) px.set([235, 205, 215], i * 3);
  const cells = Math.round((w * h) / 900);
  for (let c = 0; c < cells; c++) {
    const cx = rnd() * w;
    const cy = rnd() * h;
    const nucleus = rnd() < 0.04;
    const r = nucleus ? 14 : 7 + rnd() * 3;
    const col = nucleus ? [120, 80, 170] : [205, 120, 130];
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(h, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(w, cx + r); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) px.set(col, (y * w + x) * 3);
      }
    }
  }
  return { w, h, px };
}

type Slide = ReturnType<typeof makeSlide>;

/** The view of the slide at (ox, oy), w x h, with noise, brightness gain and an optional eyepiece ring. */
function view(slide: Slide, ox: number, oy: number, w = 256, h = 192, opts: { noise?: number; gain?: number; ring?: boolean; seed?: number; dark?: boolean } = {}): Rgba {
  let s = (opts.seed ?? 7) >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const data = new Uint8ClampedArray(w * h * 4);
  const r = Math.min(w, h) * 0.48;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const si = ((oy + y) * slide.w + ox + x) * 3;
      const outside = opts.ring && (x - w / 2) ** 2 + (y - h / 2) ** 2 > r * r;
      for (let c = 0; c < 3; c++) {
        let v = slide.px[si + c] * (opts.gain ?? 1) + (opts.noise ? (rnd() - 0.5) * 2 * opts.noise : 0);
        if (outside) v = 4 + rnd() * 4;
        if (opts.dark) v = 6 + rnd() * 6;
        data[i + c] = v;
      }
      data[i + 3] = 255;
    }
  }
  return { data, width: w, height: h };
}

const slide = makeSlide(1400, 600, 42);

/** A (2r+1)² box blur, the edge replicated: a soft camera, or a slightly turned fine focus. */
function boxBlur(img: Rgba, r: number): Rgba {
  const { width: w, height: h, data } = img;
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        let v = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            v += data[(Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))) * 4 + c];
            n++;
          }
        out[(y * w + x) * 4 + c] = v / n;
      }
  return { data: out, width: w, height: h };
}

describe('circular field', () => {
  it('finds the eyepiece disc and nothing in an ordinary field', () => {
    expect(findCircularField(view(slide, 0, 0))).toBeNull();
    const c = findCircularField(view(slide, 0, 0, 256, 192, { ring: true }))!;
    expect(c).not.toBeNull();
    expect(Math.abs(c.cx - 128)).toBeLessThan(3);
    expect(Math.abs(c.cy - 96)).toBeLessThan(3);
    expect(Math.abs(c.r - 192 * 0.48)).toBeLessThan(3);
    expect(findCircularField(view(slide, 0, 0, 256, 192, { dark: true }))).toBeNull();
  });

  it('the black ring is not evidence against a smear: the field has the stain and sharpness of an ordinary view', () => {
    const plain = pixelStats(view(slide, 100, 50));
    const ringed = view(slide, 100, 50, 256, 192, { ring: true });
    const whole = pixelStats(ringed);
    const inField = pixelStats(ringed, findCircularField(ringed));
    const chroma = (s: typeof plain) => Math.hypot(s.colour[2], s.colour[3]);
    // Over the whole image the ring is the darkest fifth: grey, so no stain colour.
    // the whole image is darker and its "darkest fifth" is the ring; the field's statistics are the view's
    expect(whole.brightness).toBeLessThan(0.7 * plain.brightness);
    expect(Math.abs(inField.brightness - plain.brightness)).toBeLessThan(10);
    expect(chroma(inField)).toBeGreaterThan(3 * LIVE_PARAMS.minStainChroma);
    expect(chroma(plain)).toBeGreaterThan(3 * LIVE_PARAMS.minStainChroma);
    expect(inField.brightness).toBeGreaterThan(150);
    expect(inField.sharpness).toBeGreaterThan(LIVE_PARAMS.minSharpness);
  });
});

describe('field signatures', () => {
  const sig = (img: Rgba) => fieldSignature(toGrey(img), findCircularField(img));

  it('the same place after a small move, with noise and another exposure, matches with the right overlap', () => {
    const a = sig(view(slide, 200, 100));
    const b = sig(view(slide, 232, 112, 256, 192, { noise: 12, gain: 0.85, seed: 3 }));
    const m = matchSignatures(a, b);
    expect(m.ncc).toBeGreaterThan(0.7);
    // 32 px of 256 is 6 signature px of 48; 12 of 192 is 2.25 of 36
    expect(m.dx).toBe(6);
    expect(Math.abs(m.dy - 2)).toBeLessThanOrEqual(1);
    expect(m.overlap).toBeGreaterThan(0.75);
    expect(seenBefore(b, [a])).not.toBeNull();
  });

  it('different places do not match, nor do views sharing under half', () => {
    const a = sig(view(slide, 0, 0));
    for (const [x, y] of [[400, 0], [800, 300], [1100, 200]]) expect(matchSignatures(a, sig(view(slide, x, y))).ncc).toBeLessThan(0.5);
    // 60% of the width away: 40% in common, under half
    expect(seenBefore(sig(view(slide, 154, 0)), [a])).toBeNull();
    // 30% away: 70% in common
    expect(seenBefore(sig(view(slide, 77, 0)), [a])).not.toBeNull();
  });

  it('eyepiece views: the ring, the same in every view, does not make different places alike', () => {
    const a = sig(view(slide, 0, 0, 256, 192, { ring: true }));
    expect(matchSignatures(a, sig(view(slide, 600, 200, 256, 192, { ring: true }))).ncc).toBeLessThan(0.5);
    expect(seenBefore(sig(view(slide, 10, 5, 256, 192, { ring: true, noise: 8 })), [a])).not.toBeNull();
  });
});

describe('capture judge', () => {
  /** Frames at 10 fps: `hold` ms still at (x, y), or a pan to the next place over `ms`. */
  function run(judge: CaptureJudge, steps: ({ hold: number; x: number; y: number; dark?: boolean } | { pan: number; from: [number, number]; to: [number, number] })[]) {
    let t = 0;
    let k = 0;
    const out: { t: number; state: string }[] = [];
    const frame = (img: Rgba) => {
      const v = judge.onFrame(t, img);
      if (v.state === 'capture') judge.captured(v.signature!);
      out.push({ t, state: v.state });
      t += 100;
    };
    for (const s of steps) {
      if ('hold' in s) for (let i = 0; i < s.hold / 100; i++) frame(view(slide, s.x, s.y, 256, 192, { noise: 3, seed: ++k, dark: s.dark }));
      else for (let i = 1; i <= s.pan / 100; i++) {
        const f = i / (s.pan / 100 + 1);
        frame(view(slide, Math.round(s.from[0] + f * (s.to[0] - s.from[0])), Math.round(s.from[1] + f * (s.to[1] - s.from[1])), 256, 192, { noise: 3, seed: ++k }));
      }
    }
    return out;
  }

  it('captures each still field once, after about a second, never while moving, never dark, never twice', () => {
    const judge = new CaptureJudge();
    const out = run(judge, [
      { hold: 2500, x: 0, y: 0 },
      { pan: 1000, from: [0, 0], to: [500, 100] },
      { hold: 2500, x: 500, y: 100 },
      { pan: 1000, from: [500, 100], to: [20, 10] },
      { hold: 2500, x: 20, y: 10 }, // the first field again, a little off
      { hold: 2000, x: 0, y: 0, dark: true },
      { hold: 2500, x: 500, y: 100 }, // the second again, straight after the dark
    ]);
    const captures = out.filter((o) => o.state === 'capture');
    expect(captures.map((c) => c.t)).toEqual([1000, 4500]);
    expect(judge.fields.length).toBe(2);
    expect(out.filter((o) => o.state === 'seen').length).toBeGreaterThan(0);
    // pans are moving
    expect(out.slice(25, 35).every((o) => o.state === 'moving')).toBe(true);
    expect(out.slice(96, 115).some((o) => o.state === 'dark')).toBe(true);
  });

  it('a captured field that could not be saved is forgotten: not "captured" nor "seen", and captured again after another still second', () => {
    const judge = new CaptureJudge();
    let t = 0;
    let k = 0;
    const at = (x: number, y: number) => judge.onFrame((t += 100), view(slide, x, y, 256, 192, { noise: 3, seed: ++k }));
    // the first field, captured and saved
    let v = at(500, 100);
    while (v.state !== 'capture') v = at(500, 100);
    judge.captured(v.signature!);
    // the slide moved to a second field, captured, and its save failed (the picture not encoded)
    for (let i = 0; i < 5; i++) at(500 - i * 100, 100 - i * 20);
    v = at(0, 0);
    while (v.state !== 'capture') v = at(0, 0);
    const failed = v.signature!;
    judge.captured(failed);
    const capturedAt = t;
    expect(at(0, 0).state).toBe('captured');
    // before, it stayed 'captured' (the view said "Captured: move to the next field" over no image) and was 'seen'
    // for good after
    expect(judge.forget(failed)).toBe(1);
    expect(judge.fields).toHaveLength(1);
    const after: { t: number; state: string }[] = [];
    while (t < capturedAt + 2500) {
      const w = at(0, 0);
      after.push({ t, state: w.state });
      if (w.state === 'capture') {
        judge.captured(w.signature!);
        break;
      }
    }
    expect(after.map((a) => a.state)).not.toContain('captured');
    expect(after.map((a) => a.state)).not.toContain('seen');
    const again = after.find((a) => a.state === 'capture');
    // not on the next frame: the view waits another still second
    expect(again!.t - capturedAt).toBeGreaterThanOrEqual(LIVE_PARAMS.stillMs);
    expect(judge.fields).toHaveLength(2);
    // the first field is still known, at its index
    for (let i = 0; i < 5; i++) at(i * 100, i * 20);
    v = at(500, 100);
    while (v.state === 'moving' || v.state === 'settling') v = at(500, 100);
    expect(v).toMatchObject({ state: 'seen', seenIndex: 0 });
    // a signature it does not know (replaced since, or another judge's) changes nothing
    expect(judge.forget(failed)).toBe(-1);
    expect(judge.fields).toHaveLength(2);
  });

  it('a small field of view (the phone held back from the eyepiece) says so and is not captured; it had read "Too dark", and the phone brought closer captures the field', () => {
    /** The view through the eyepiece, its field of view a disc of `share` of the frame, the rest black. */
    const disc = (share: number, seed: number) => {
      const img = view(slide, 300, 100, 256, 192, { noise: 3, seed });
      const r = Math.sqrt((share * 256 * 192) / Math.PI);
      for (let y = 0; y < 192; y++) for (let x = 0; x < 256; x++) if ((x + 0.5 - 128) ** 2 + (y + 0.5 - 96) ** 2 > r * r) img.data.set([5, 4, 6], (y * 256 + x) * 4);
      return img;
    };
    const judge = new CaptureJudge();
    const states: string[] = [];
    let t = 0;
    for (let i = 0; i < 30; i++, t += 100) states.push(judge.onFrame(t, disc(0.06, i)).state);
    expect(new Set(states)).toEqual(new Set(['small-field']));
    expect(judge.fields).toHaveLength(0);
    // the whole frame is dark: the judge had said so, and sent the technician to the lamp
    expect(pixelStats(disc(0.06, 1)).brightness).toBeLessThan(LIVE_PARAMS.minBrightness);
    // closer: the field of view a third of the frame, held still, is captured once
    const closer: string[] = [];
    for (let i = 0; i < 20; i++, t += 100) {
      const v = judge.onFrame(t, disc(0.35, 100 + i));
      if (v.state === 'capture') judge.captured(v.signature!, v.stats.sharpness);
      closer.push(v.state);
    }
    expect(closer.filter((s) => s === 'capture')).toHaveLength(1);
    expect(closer).not.toContain('small-field');
  });

  it('a field of view under half a percent of the frame is still a small field, not "Too dark"; a black frame is dark', () => {
    const disc = (share: number, seed: number) => {
      const img = view(slide, 300, 100, 256, 192, { noise: 3, seed });
      const r = Math.sqrt((share * 256 * 192) / Math.PI);
      for (let y = 0; y < 192; y++) for (let x = 0; x < 256; x++) if ((x + 0.5 - 128) ** 2 + (y + 0.5 - 96) ** 2 > r * r) img.data.set([5, 4, 6], (y * 256 + x) * 4);
      return img;
    };
    for (const share of [0.004, 0.002]) {
      const judge = new CaptureJudge();
      const states = new Set<string>();
      for (let i = 0, t = 0; i < 20; i++, t += 100) states.add(judge.onFrame(t, disc(share, i)).state);
      expect(states, `share ${share}`).toEqual(new Set(['small-field']));
      expect(judge.fields).toHaveLength(0);
    }
    const judge = new CaptureJudge();
    const black = disc(0, 1);
    expect(judge.onFrame(0, black).state).not.toBe('small-field');
    expect(judge.onFrame(100, black).state).toBe('dark');
  });

  it('a lamp that flickers and a hand that trembles are no movement; a slow pan is', () => {
    // four still fields, each frame 3% brighter or darker and shifted a pixel (of 256; 2.5 of a 640-px frame) at random
    let k = 0;
    let t = 0;
    let s = 99;
    const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const judge = new CaptureJudge();
    const states: string[] = [];
    for (const [x, y] of [[10, 10], [400, 200], [800, 50], [1100, 300]]) {
      for (let i = 0; i < 25; i++, t += 100) {
        const img = view(slide, x + Math.round((rnd() - 0.5) * 2), y + Math.round((rnd() - 0.5) * 2), 256, 192, { noise: 3, seed: ++k, gain: i % 2 ? 1.03 : 0.97 });
        const v = judge.onFrame(t, img);
        if (v.state === 'capture') judge.captured(v.signature!);
        states.push(v.state);
      }
    }
    expect(states.filter((x) => x === 'capture')).toHaveLength(4);
    // a pan of 1, 2 or 6 px (of 256) a frame, the slower ones under what one frame to the next shows, drifts: never captured
    for (const speed of [1, 2, 6]) {
      const pan = new CaptureJudge();
      for (let i = 0; i < 60; i++) expect(pan.onFrame(i * 100, view(slide, 10 + speed * i, 10, 256, 192, { noise: 3, seed: 500 + i })).state, `${speed} px a frame`).not.toBe('capture');
    }
  });

  it('a field captured in an earlier run and remembered is seen, not captured again', () => {
    const first = new CaptureJudge();
    const out = run(first, [{ hold: 2000, x: 0, y: 0 }]);
    expect(out.filter((o) => o.state === 'capture')).toHaveLength(1);
    const second = new CaptureJudge();
    for (const sig of first.fields) second.remember(sig);
    const again = run(second, [{ hold: 2000, x: 6, y: 4 }, { pan: 800, from: [6, 4], to: [600, 200] }, { hold: 2000, x: 600, y: 200 }]);
    expect(again.filter((o) => o.state === 'capture')).toHaveLength(1);
    expect(again.slice(0, 20).some((o) => o.state === 'seen')).toBe(true);
  });

  it('a field the technician removed from the batch is said so and not captured again by itself, held or come back to; Capture again captures it at once', () => {
    const first = new CaptureJudge();
    run(first, [{ hold: 2000, x: 0, y: 0 }]);
    const second = new CaptureJudge();
    // another field captured before, kept in the batch, then the one removed
    second.remember(signatureOf(view(slide, 800, 300)));
    second.remember(first.fields[0], true);
    // before: the removed field was no field of the judge's, and came straight back as a new capture
    const again = run(second, [{ hold: 2000, x: 4, y: 2 }, { pan: 800, from: [4, 2], to: [600, 200] }, { pan: 800, from: [600, 200], to: [6, 4] }, { hold: 2000, x: 6, y: 4 }]);
    expect(again.filter((o) => o.state === 'capture')).toEqual([]);
    expect(again.slice(10, 20).every((o) => o.state === 'removed')).toBe(true);
    expect(again.slice(-10).every((o) => o.state === 'removed')).toBe(true);
    // the technician asks for it: the still view is captured on the next frame, not a still second later
    let v = second.onFrame(10_000, view(slide, 6, 4, 256, 192, { noise: 3, seed: 900 }));
    expect(v).toMatchObject({ state: 'removed', seenIndex: 1 });
    expect(second.captureAgain(0)).toBe(false); // a field kept in the batch is no removed one
    expect(second.captureAgain(1)).toBe(true);
    v = second.onFrame(10_100, view(slide, 6, 4, 256, 192, { noise: 3, seed: 901 }));
    expect(v.state).toBe('capture');
    second.captured(v.signature!);
    expect(second.fields).toHaveLength(2);
    expect(second.onFrame(10_200, view(slide, 6, 4, 256, 192, { noise: 3, seed: 902 })).state).toBe('captured');
  });

  it('a clearly sharper still view of the field just captured replaces it; a view no sharper than the capture, a remembered field or another view does not', () => {
    /** The view through a slightly turned fine focus: soft but above the focus bar. */
    const soft = boxBlur;
    const sharp = view(slide, 300, 100, 256, 192, { noise: 2 });
    const blurred = soft(sharp, 1);
    const sBlur = pixelStats(blurred).sharpness;
    const sSharp = pixelStats(sharp).sharpness;
    expect(sBlur).toBeGreaterThan(LIVE_PARAMS.minSharpness);
    expect(sSharp).toBeGreaterThan(sBlur * LIVE_PARAMS.sharper);
    const judge = new CaptureJudge();
    const states: string[] = [];
    let t = 0;
    const hold = (img: Rgba, ms: number) => {
      for (const end = t + ms; t < end; t += 100) {
        const v = judge.onFrame(t, img);
        states.push(v.state);
        if (v.state === 'capture') judge.captured(v.signature!, v.stats.sharpness);
        if (v.state === 'sharper') {
          expect(v.seenIndex).toBe(0);
          judge.replaced(v.seenIndex!, v.signature!, v.stats.sharpness);
        }
      }
    };
    hold(blurred, 2000);
    expect(states.filter((x) => x === 'capture')).toHaveLength(1);
    // the fine focus turned: the same view, sharp, replaces the capture once, and is then the captured field
    states.length = 0;
    hold(sharp, 2000);
    expect(states.filter((x) => x === 'sharper')).toHaveLength(1);
    expect(states.at(-1)).toBe('captured');
    expect(judge.fields).toHaveLength(1);
    // back to the soft view and sharp again: nothing sharper than the field now holds
    states.length = 0;
    hold(blurred, 1500);
    hold(sharp, 1500);
    expect(states.filter((x) => x === 'sharper' || x === 'capture')).toHaveLength(0);

    // a field remembered from an earlier run is never replaced
    const again = new CaptureJudge();
    again.remember(judge.fields[0]);
    for (let u = 0; u < 2000; u += 100) expect(again.onFrame(u, sharp).state).not.toBe('sharper');
    // a sharper view that only half overlaps the soft capture is a repeat, not a replacement
    const other = new CaptureJudge();
    let u = 0;
    for (; u < 2000; u += 100) {
      const v = other.onFrame(u, blurred);
      if (v.state === 'capture') other.captured(v.signature!, v.stats.sharpness);
    }
    const shifted = view(slide, 300 + 77, 100, 256, 192, { noise: 2 }); // 30% of the width over
    const seen: string[] = [];
    for (const end = u + 3000; u < end; u += 100) seen.push(other.onFrame(u, shifted).state);
    expect(seen).toContain('seen');
    expect(seen).not.toContain('sharper');
  });

  it('the phone turned on its side mid-run: the same field, now a portrait frame, is seen, not captured again', () => {
    // a browser turns the camera's frames with the screen: a 256x192 view becomes 192x256 about the same centre,
    // the slide upright in both (before, signatures of other shapes never matched: every field was captured again)
    const judge = new CaptureJudge();
    const states: string[] = [];
    let t = 0;
    const hold = (x: number, y: number, w: number, h: number) => {
      for (let i = 0; i < 25; i++, t += 100) {
        const v = judge.onFrame(t, view(slide, x, y, w, h, { noise: 3, seed: t }));
        if (v.state === 'capture') judge.captured(v.signature!, v.stats.sharpness);
        states.push(v.state);
      }
    };
    hold(300, 200, 256, 192); // landscape
    hold(332, 168, 192, 256); // the phone turned: the same field, upright
    expect(states.slice(25)).toContain('seen');
    expect(states.filter((s) => s === 'capture')).toHaveLength(1);
    hold(900, 250, 192, 256); // a new field in portrait is captured
    hold(868, 282, 256, 192); // and seen once turned back
    expect(states.filter((s) => s === 'capture')).toHaveLength(2);
    expect(states.slice(75)).toContain('seen');
    expect(judge.fields.length).toBe(2);
  });

  it('a blurred or unstained view is not captured', () => {
    const judge = new CaptureJudge();
    const grey: Rgba = (() => {
      const v = view(slide, 0, 0);
      for (let i = 0; i < v.data.length; i += 4) {
        const g = 0.299 * v.data[i] + 0.587 * v.data[i + 1] + 0.114 * v.data[i + 2];
        v.data[i] = v.data[i + 1] = v.data[i + 2] = g;
      }
      return v;
    })();
    for (let t = 0; t < 3000; t += 100) expect(judge.onFrame(t, grey).state).not.toBe('capture');
    expect(judge.onFrame(3100, grey).state).toBe('not-smear');
  });
});

describe('a phone pulled off the eyepiece', () => {
  /** The slide's view with each pixel's colour mapped (`f`), as the camera would see it. */
  const recoloured = (f: (r: number, g: number, b: number) => [number, number, number], x = 0) => {
    const v = view(slide, x, 0, 256, 192, { noise: 3 });
    for (let i = 0; i < v.data.length; i += 4) v.data.set(f(v.data[i], v.data[i + 1], v.data[i + 2]), i);
    return v;
  };
  /** Colour bars with a sharp pattern on them: a poster, a test chart. */
  const bars: Rgba = { width: 256, height: 192, data: new Uint8ClampedArray(256 * 192 * 4) };
  const BAR = [[235, 235, 40], [40, 220, 230], [40, 200, 50], [220, 40, 200], [210, 30, 30], [30, 40, 210], [240, 240, 240], [20, 20, 20]];
  for (let y = 0; y < 192; y++) for (let x = 0; x < 256; x++) bars.data.set([...BAR[Math.floor(x / 32)].map((c) => ((x + y) % 16 < 2 ? c * 0.6 : c)), 255], (y * 256 + x) * 4);
  const states = (frame: (t: number) => Rgba, judge = new CaptureJudge()) => {
    const out: string[] = [];
    for (let t = 0; t <= 3000; t += 100) {
      const v = judge.onFrame(t, frame(t));
      if (v.state === 'capture') judge.captured(v.signature!);
      out.push(v.state);
    }
    return out;
  };

  it('a vivid, sharp, still scene (stain-coloured enough to pass the stain test) says not a smear and is never captured', () => {
    expect(Math.hypot(pixelStats(bars).colour[2], pixelStats(bars).colour[3])).toBeGreaterThan(LIVE_PARAMS.minStainChroma);
    expect(pixelStats(bars).sharpness).toBeGreaterThan(LIVE_PARAMS.minSharpness);
    const seen = states(() => bars);
    expect(new Set(seen)).toEqual(new Set(['not-smear']));
  });

  it('a scene whose darkest parts are green (leaves, a green poster) is no smear, still or moving', () => {
    const green = (r: number, g: number, b: number): [number, number, number] => (r + g + b < 560 ? [g * 0.45, r * 0.75, b * 0.5] : [r, g, b]);
    expect(new Set(states(() => recoloured(green)))).toEqual(new Set(['not-smear']));
    // moving across it: not a smear, rather than "Moving: hold the slide still"
    expect(new Set(states((t) => recoloured(green, Math.round(t / 10))))).toEqual(new Set(['not-smear']));
  });

  it('the same slide under a strong colour cast (a yellow lamp, a phone white-balanced wrong) is still a smear, captured once', () => {
    const seen = states(() => recoloured((r, g, b) => [r, g * 0.85, b * 0.6]));
    expect(seen.filter((s) => s === 'capture')).toHaveLength(1);
    expect(seen).not.toContain('not-smear');
  });
});

describe('live: the dark and the washed-out view', () => {
  it('is never a field the batch would leave out as under-exposed', () => {
    expect(LIVE_PARAMS.minBrightness).toBeGreaterThanOrEqual(CALIBRATION.exposure!.minBrightness);
  });
  it('a view washed out to white is not captured: the batch would leave it out as over-exposed', () => {
    expect(LIVE_PARAMS.maxClipped).toBe(CALIBRATION.exposure!.maxClipped);
    // pink cells on a background clipped to white over most of the view, held still
    const frame: Rgba = { width: 256, height: 192, data: new Uint8ClampedArray(256 * 192 * 4) };
    for (let y = 0; y < 192; y++)
      for (let x = 0; x < 256; x++) frame.data.set((x % 32 < 8 && y % 32 < 8 ? [230, 150, 170] : [255, 255, 255]).concat(255), (y * 256 + x) * 4);
    const judge = new CaptureJudge();
    const states = [0, 100, 200, 1500].map((t) => judge.onFrame(t, frame).state);
    expect(states.slice(1)).toEqual(['bright', 'bright', 'bright']);
    expect(judge.fields.length).toBe(0);
  });
});

describe('live: uneven light', () => {
  /** The view with its corners at a quarter of the centre's light (the stress sets' vignette). */
  const vignetted = (v: Rgba): Rgba => {
    const data = new Uint8ClampedArray(v.data);
    for (let y = 0; y < v.height; y++) {
      for (let x = 0; x < v.width; x++) {
        const l = 1 - 0.75 * ((((x + 0.5) / (v.width / 2) - 1) ** 2 + ((y + 0.5) / (v.height / 2) - 1) ** 2) / 2);
        for (let c = 0; c < 3; c++) data[(y * v.width + x) * 4 + c] = v.data[(y * v.width + x) * 4 + c] * l;
      }
    }
    return { ...v, data };
  };

  it('a soft field under a vignette (the corners at a quarter of the light) is judged as the batch judges it: captured, never "blurred"', () => {
    const even = boxBlur(view(slide, 0, 0, 256, 192, { noise: 2 }), 2);
    const frame = vignetted(even);
    // as read, the fall-off lowers the sharpness (edges over the spread of grey) under the bar
    expect(pixelStats(even).sharpness).toBeGreaterThan(LIVE_PARAMS.minSharpness);
    expect(pixelStats(frame).sharpness).toBeLessThan(LIVE_PARAMS.minSharpness);
    const judge = new CaptureJudge();
    const seen: string[] = [];
    for (let t = 0; t <= 2000; t += 100) {
      const v = judge.onFrame(t, frame);
      if (v.state === 'capture') judge.captured(v.signature!);
      seen.push(v.state);
      expect(v.stats.light).toBeLessThan(0.7);
    }
    expect(seen).not.toContain('blurred');
    expect(seen.filter((s) => s === 'capture')).toHaveLength(1);
  });
});
