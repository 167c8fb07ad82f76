import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelCard } from '../core/detection/card';
import { createAppStore } from '../store/store';
import type { DetectOutput } from '../worker/client';
import { createImageFiles } from './files';
import { BatchRunner } from './runner';
import { IntakeJournal, lostInIntake } from './intakeJournal';
import type { Decoder } from './decoder';
import type { ClassifierCard } from '../core/differential/card';
import { WBC_TYPES } from '../core/differential/differential';
import { addBox } from '../core/edits/commands';
import { shownDetections } from '../store/selectors';
import { notCountedWords, selectNotCounted } from '../store/report';
import { reclassifyCell } from '../core/edits/gallery';

const card = parseModelCard(JSON.parse(readFileSync(new URL('../../models/smearcount-frcnn.json', import.meta.url), 'utf8')));
/** One pass at the plan scale, whatever the cells' size. */
const cardWithoutScale = { ...card, scale: null };

/** A JPEG-looking file: SOI + SOF0 with a size + EOI (or not). The fake decoder reads the size back. */
function jpeg(name: string, w: number, h: number, eoi = true, salt = 0): File {
  const sof = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
  const bytes = [0xff, 0xd8, ...sof, salt, ...(eoi ? [0xff, 0xd9] : [])];
  return new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' });
}

function fakeDecoder(): Decoder & { copies: { width: number; height: number }[] } {
  const copies: { width: number; height: number }[] = [];
  return {
    copies,
    async decode(blob) {
      const b = new Uint8Array(await blob.arrayBuffer());
      if (b[b.length - 1] === 0x00) throw new Error('corrupt');
      const h = (b[7] << 8) | b[8];
      const w = (b[9] << 8) | b[10];
      return { width: w, height: h, close() {} } as ImageBitmap;
    },
    async copy(_bmp, size) {
      copies.push(size);
      return { ...size, close() {} } as ImageBitmap;
    },
    async crop(_bmp, _rect, size) {
      return new Uint8ClampedArray(size * size * 4).fill(200);
    },
    // a flat grey picture: nothing a smear has
    async pixels(_bmp, size) {
      return new Uint8ClampedArray(size.width * size.height * 4).fill(200);
    },
  };
}

/** A fake detector: RBCs of a given size (model px) on a grid, scores 0.9, and one WBC; its classifier
 * calls every crop a lymphocyte (index 1). */
function fakeClient(rbcModelPx: (call: number) => number) {
  let calls = 0;
  const classified: number[] = [];
  return {
    calls: () => calls,
    classified,
    async classify(crops: Float32Array, n: number) {
      classified.push(n);
      const logits = new Float32Array(n * 7);
      for (let i = 0; i < n; i++) logits[i * 7 + 1] = 5;
      return { logits, classes: 7, ms: 1 };
    },
    async detect(bmp: ImageBitmap): Promise<DetectOutput> {
      const s = rbcModelPx(calls++);
      const boxes: number[] = [];
      for (let x = 10; x + s < bmp.width - 10; x += s + 5) boxes.push(x, 20, x + s, 20 + s);
      boxes.push(40, 200, 40 + 2 * s, 200 + 2 * s);
      const n = boxes.length / 4;
      const labels = new Int32Array(n).fill(1);
      labels[n - 1] = 2;
      return { boxes: new Float32Array(boxes), labels, scores: new Float32Array(n).fill(0.9), inferenceMs: 5, width: bmp.width, height: bmp.height };
    },
  };
}

async function run(files: File[], client = fakeClient(() => card.scale!.referenceRbcPx)) {
  const store = createAppStore(card.postprocess);
  store.getState().setModel({ status: 'ready' });
  const decoder = fakeDecoder();
  const runner = new BatchRunner(store, async () => client, card, createImageFiles(), decoder);
  await runner.addFiles(files);
  for (let i = 0; i < 100 && store.getState().order.some((id) => ['queued', 'running'].includes(store.getState().images[id].status)); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return { store, decoder, client };
}

describe('BatchRunner', () => {
  it('records on each image the engine that counted it, and a live capture’s source and time', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready', backend: 'wasm', threads: 1 });
    const runner = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, createImageFiles(), fakeDecoder());
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await runner.addFiles([jpeg('live-0001.jpg', 640, 480, true, 1)], { source: 'live', at: '2026-12-05T08:41:07.000Z' });
    for (let i = 0; i < 100 && store.getState().order.some((id) => store.getState().images[id].status !== 'done'); i++) await new Promise((r) => setTimeout(r, 5));
    // a later session on another engine does not rewrite what counted them
    store.getState().setModel({ backend: 'wasm-threads', threads: 4 });
    const [a, live] = store.getState().order.map((id) => store.getState().images[id]);
    expect(a).toMatchObject({ status: 'done', engine: { backend: 'wasm', threads: 1 } });
    // and the detector model: a batch restored after an update to another model was said to be that model's
    expect(a.detector).toEqual({ name: card.name, sha256: card.sha256 });
    expect(a.capture).toBeUndefined();
    expect(live).toMatchObject({ status: 'done', capture: { source: 'live', at: '2026-12-05T08:41:07.000Z' } });
    // Count again forgets the count (and its engine), never where the picture came from
    store.getState().requeue([live.id]);
    expect(store.getState().images[live.id]).toMatchObject({ status: 'queued', capture: { source: 'live' } });
    expect(store.getState().images[live.id].engine).toBeUndefined();
    expect(store.getState().images[live.id].detector).toBeUndefined();
  });
  it('keeps the bytes it read at the drop: a file moved or deleted on the disk afterwards is still counted', async () => {
    // a File only points at the disk: once the intake has read it whole, every later read fails, as Chrome's
    // do (NotReadableError) for a file deleted or a USB stick taken out after the drop
    const src = jpeg('usb-stick.jpg', 640, 480);
    let gone = false;
    const unreadable = () => Promise.reject(new DOMException('A requested file or directory could not be found', 'NotReadableError'));
    const deleted = Object.assign(new File([src], src.name, { type: src.type }), {
      async arrayBuffer() {
        if (gone) return unreadable();
        gone = true; // the intake's whole read is the last one the disk answers
        return src.arrayBuffer();
      },
      slice(start?: number, end?: number) {
        const part = src.slice(start, end);
        return Object.assign(part, { arrayBuffer: () => (gone ? unreadable() : Blob.prototype.arrayBuffer.call(part)) });
      },
    });
    const { store } = await run([deleted]);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status, s.images[id].error])).toEqual([['usb-stick.jpg', 'done', undefined]]);
    expect(s.notices).toEqual([]);
  });
  it('one bad file becomes one message and the batch goes on', async () => {
    const { store } = await run([
      jpeg('good.jpg', 640, 480),
      new File([new Uint8Array(0)], 'empty.jpg'),
      new File(['hello'], 'notes.txt'),
      new File(['random bytes, not a JPEG'], 'damaged.jpg'),
      new File(['%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n'], 'smear-scan.pdf'),
      new File(['%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n'], 'field-7.jpg'),
      new File([new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0])], 'IMG_0042.HEIC'),
      jpeg('truncated.jpg', 640, 480, false),
      jpeg('good2.jpg', 640, 480, true, 1),
    ]);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status])).toEqual([
      ['good.jpg', 'done'],
      ['good2.jpg', 'done'],
    ]);
    const errs = Object.fromEntries(s.notices.map((e) => [e.subject, e.message]));
    expect(errs['empty.jpg']).toMatch(/empty/);
    expect(errs['notes.txt']).toMatch(/Not an image/);
    expect(errs['damaged.jpg']).toMatch(/Named \.jpg, but what is inside is not an image: the file is damaged/);
    expect(errs['truncated.jpg']).toMatch(/ends early/); // the JPEG end-of-image check
    // a PDF, whatever it is named, and an iPhone photo say what they are and what to do
    expect(errs['smear-scan.pdf']).toMatch(/^A PDF document, not an image\. Save the smear photo from it as JPEG or PNG/);
    expect(errs['field-7.jpg']).toMatch(/^A PDF document, not an image/);
    expect(errs['IMG_0042.HEIC']).toMatch(/^An HEIC photo .* Most Compatible \(JPEG\), or share the photo as JPEG/);
  });
  it("a folder's system files (.DS_Store, Thumbs.db, desktop.ini, a ._ copy) are passed over without a word; dropped on their own they are refused", async () => {
    // audit 2026-12-05, desk: a day's folder from a Mac or a Windows share gave four "Not an image" notices, and
    // four "could not be counted" files on the signed report, for files the technician never chose
    const inFolder = (f: File) => Object.defineProperty(f, 'webkitRelativePath', { value: `day1/${f.name}` });
    const { store } = await run([
      inFolder(jpeg('field-1.jpg', 640, 480)),
      inFolder(new File([new Uint8Array([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31])], '.DS_Store')),
      inFolder(new File(['junk'], 'Thumbs.db')),
      inFolder(new File(['[.ShellClassInfo]'], 'desktop.ini')),
      inFolder(new File([new Uint8Array([0, 5, 0x16, 7, 0, 2, 0, 0])], '._field-1.jpg')),
      inFolder(new File(['counts from the analyser'], 'notes.txt')),
      new File(['junk'], 'Thumbs.db'),
    ]);
    const s = store.getState();
    expect(s.order.map((id) => s.images[id].name)).toEqual(['field-1.jpg']);
    // a file the technician put in the folder is still named (by its place there); a system file dropped on its own is refused
    expect(s.notices.map((n) => n.subject).sort()).toEqual(['Thumbs.db', 'day1/notes.txt']);
    expect(s.refused.map((r) => r.name).sort()).toEqual(['Thumbs.db', 'day1/notes.txt']);
  });
  it('two files of one name from two folders: the one refused is named by its folder, and stays refused when the other is counted', async () => {
    // audit 2026-12-06, input: day1/field.jpg (cut short) and day2/field.jpg (good) in one dropped folder. The notice
    // said "field.jpg: could not be decoded" beside a counted field.jpg, and the counted one cleared the refusal, so
    // the report named no file missing
    const inFolder = (f: File, dir: string) => Object.defineProperty(f, 'webkitRelativePath', { value: `${dir}/${f.name}` });
    const { store } = await run([inFolder(jpeg('field.jpg', 640, 480, false), 'day1'), inFolder(jpeg('field.jpg', 640, 480, true, 1), 'day2')]);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].path])).toEqual([['field.jpg', 'day2/field.jpg']]);
    expect(s.notices.map((n) => n.subject)).toEqual(['day1/field.jpg']);
    expect(s.refused.map((r) => r.name)).toEqual(['day1/field.jpg']);
    expect(notCountedWords(selectNotCounted(s))).toMatch(/1 file could not be counted \(day1\/field\.jpg: The image could not be decoded/);
  });
  it('two files of one name from two folders: the one that cannot be decoded is named by its folder on the notice and the report', async () => {
    const inFolder = (f: File, dir: string) => Object.defineProperty(f, 'webkitRelativePath', { value: `${dir}/${f.name}` });
    // passes the intake's checks (an end-of-image marker near the end), fails the decoder (last byte 0)
    const undecodable = new File([await jpeg('field.jpg', 640, 480).arrayBuffer(), new Uint8Array([0])], 'field.jpg', { type: 'image/jpeg' });
    const { store } = await run([inFolder(undecodable, 'day1'), inFolder(jpeg('field.jpg', 640, 480, true, 1), 'day2')]);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].path, s.images[id].status])).toEqual([['day1/field.jpg', 'error'], ['day2/field.jpg', 'done']]);
    expect(s.notices.map((n) => n.subject)).toEqual(['day1/field.jpg']);
    expect(notCountedWords(selectNotCounted(s))).toMatch(/1 file could not be counted \(day1\/field\.jpg: The image could not be decoded/);
  });
  it('a file refused and then dropped again whole is no longer named missing; one of that name elsewhere does not answer for it', () => {
    const store = createAppStore(card.postprocess);
    const st = store.getState();
    st.refuseFile('day1/field.jpg', 'cut short');
    st.refuseFile('loose.jpg', 'cut short');
    st.addImage({ id: 'a', name: 'field.jpg', bytes: 1, path: 'day2/field.jpg' });
    st.addImage({ id: 'b', name: 'field.jpg', bytes: 1 });
    expect(store.getState().refused.map((r) => r.name)).toEqual(['day1/field.jpg', 'loose.jpg']);
    st.addImage({ id: 'c', name: 'field.jpg', bytes: 1, path: 'day1/field.jpg' });
    st.addImage({ id: 'd', name: 'loose.jpg', bytes: 1, path: 'again/loose.jpg' });
    expect(store.getState().refused).toEqual([]);
  });
  it('the same photo dropped twice is counted once', async () => {
    const { store } = await run([jpeg('a.jpg', 640, 480), jpeg('copy-of-a.jpg', 640, 480)]);
    expect(store.getState().order).toHaveLength(1);
    expect(store.getState().notices[0].message).toMatch(/Already in this batch as a\.jpg/);
    // no error: the image is counted (once), and the notices' one line said "2 files not counted" beside a refused file
    expect(store.getState().notices[0]).toMatchObject({ kind: 'info', source: 'file', subject: 'copy-of-a.jpg' });
    expect(store.getState().refused).toEqual([]);
  });
  it('at the model scale: one pass at the native size', async () => {
    const { store, decoder } = await run([jpeg('a.jpg', 640, 480)]);
    const im = Object.values(store.getState().images)[0];
    expect(decoder.copies).toEqual([card.nativeSize]);
    expect(im.scale).toMatchObject({ passes: 1, fixed: false });
    expect(im.raw!.length).toBeGreaterThan(2);
  });
  it('cells at half size: detects again at twice the size, boxes in image pixels', async () => {
    const ref = card.scale!.referenceRbcPx;
    const client = fakeClient((call) => (call === 0 ? ref / 2 : ref));
    const { store, decoder } = await run([jpeg('zoomed-out.jpg', 640, 480)], client);
    const im = Object.values(store.getState().images)[0];
    expect(client.calls()).toBe(2);
    expect(decoder.copies[1].width).toBeGreaterThan(1.9 * card.nativeSize.width);
    expect(im.scale!.passes).toBe(2);
    expect(im.scale!.estimated).toBeCloseTo(0.5, 1);
    for (const d of im.raw!) expect(d.box.x2).toBeLessThanOrEqual(640);
  });
  it('every detected image carries its quality flags: a flat grey picture with a grid of equal "cells" is one to doubt', async () => {
    const { store } = await run([jpeg('a.jpg', 640, 480)]);
    const im = Object.values(store.getState().images)[0];
    expect(im.quality!.pixels.sharpness).toBe(0);
    expect(im.quality!.detections.rbcSizeCv).toBeCloseTo(0);
    // grey, so monochrome rather than an unfamiliar colour; its equal "cells" still make it no smear
    expect(im.quality!.flags).toEqual(['not-smear', 'out-of-focus', 'monochrome']);
  });
  it('a fixed magnification runs once at that scale', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    store.getState().setFixedScale(2);
    const decoder = fakeDecoder();
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), decoder);
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(decoder.copies).toEqual([{ width: 2 * card.nativeSize.width, height: 2 * card.nativeSize.height }]);
    expect(Object.values(store.getState().images)[0].scale).toMatchObject({ fixed: true, passes: 1 });
  });
  it('maps boxes back to image pixels per axis (the floored input size scales x and y differently)', async () => {
    // 1001x333 fits the native size at 512x170: x scale 512/1001, y scale 170/333 (not the same).
    const frame = {
      async classify(): Promise<never> {
        throw new Error('not used');
      },
      async detect(bmp: ImageBitmap): Promise<DetectOutput> {
        return { boxes: Float32Array.from([0, 0, bmp.width, bmp.height]), labels: Int32Array.from([1]), scores: Float32Array.from([0.9]), inferenceMs: 1, width: bmp.width, height: bmp.height };
      },
    };
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const decoder = fakeDecoder();
    const runner = new BatchRunner(store, async () => frame, cardWithoutScale, createImageFiles(), decoder);
    await runner.addFiles([jpeg('wide.jpg', 1001, 333)]);
    await new Promise((r) => setTimeout(r, 50));
    const size = decoder.copies[0];
    expect(size.width / 1001).not.toBeCloseTo(size.height / 333, 4);
    const im = Object.values(store.getState().images)[0];
    expect(im.raw![0].box.x2).toBeCloseTo(1001, 3);
    expect(im.raw![0].box.y2).toBeCloseTo(333, 3);
  });
});

describe('BatchRunner: the differential', () => {
  const classifierCard: ClassifierCard = {
    name: 'test',
    file: 'x.onnx',
    sha256: 'a'.repeat(64),
    bytes: 1,
    classes: WBC_TYPES.map((name) => ({ name, code: name.slice(0, 3), color: '#000' })),
    crop: { factor: 1.4, size: 8, pad: 0.5, percentile: 0.95, clip: 1.5 },
    lowConfidence: 0.6,
  };
  it('types the WBCs after detection in one batch, and a WBC drawn by hand at once', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready', classifier: true });
    const client = fakeClient(() => card.scale!.referenceRbcPx);
    const files = createImageFiles();
    const runner = new BatchRunner(store, async () => client, card, files, fakeDecoder(), classifierCard);
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await new Promise((r) => setTimeout(r, 50));
    const id = store.getState().order[0];
    let shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    const wbc = shown.filter((d) => d.cls === 'WBC');
    expect(wbc).toHaveLength(1);
    expect(wbc[0].wbc).toMatchObject({ type: 'lymphocyte', origin: 'model' });
    expect(client.classified).toEqual([1]);
    // the classifier that typed them is kept with the image, as the detector is
    const typedBy = { name: 'test', sha256: 'a'.repeat(64) };
    expect(store.getState().images[id].classifiers).toEqual([typedBy]);
    // A hand-drawn WBC has no type until classified; classifyMissing types it.
    store.getState().edit(id, addBox, { cls: 'WBC', box: { x1: 300, y1: 300, x2: 400, y2: 400 }, width: 640, height: 480 });
    shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    expect(shown.find((d) => d.id === 'u0')!.wbc).toBeUndefined();
    await runner.classifyMissing(id);
    shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    expect(shown.find((d) => d.id === 'u0')!.wbc).toMatchObject({ type: 'lymphocyte' });
    expect(client.classified).toEqual([1, 1]);
    expect(store.getState().images[id].classifiers).toEqual([typedBy]);
    // A WBC drawn while another is being typed is typed too, once that typing ends.
    store.getState().edit(id, addBox, { cls: 'WBC', box: { x1: 100, y1: 300, x2: 180, y2: 380 }, width: 640, height: 480 });
    const first = runner.classifyMissing(id);
    store.getState().edit(id, addBox, { cls: 'WBC', box: { x1: 500, y1: 300, x2: 580, y2: 380 }, width: 640, height: 480 });
    void runner.classifyMissing(id); // skipped: a typing of this image is in flight
    await first;
    shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    expect(shown.filter((d) => d.origin === 'manual').map((d) => [d.id, !!d.wbc])).toEqual([['u0', true], ['u1', true], ['u2', true]]);
    expect(client.classified).toEqual([1, 1, 1, 1]);
    // A type set by hand wins, with undo.
    store.getState().edit(id, reclassifyCell, { id: 'u0', to: 'eosinophil' });
    shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    expect(shown.find((d) => d.id === 'u0')!.wbc).toMatchObject({ type: 'eosinophil', origin: 'manual', p: 1 });
    store.getState().undo();
    shown = shownDetections(store.getState().images[id], store.getState().postprocess);
    expect(shown.find((d) => d.id === 'u0')!.wbc!.type).toBe('lymphocyte');
    // typed before by another classifier (an update came between): both are named
    store.getState().updateImage(id, { classifiers: [{ name: 'test', sha256: 'b'.repeat(64) }] });
    store.getState().edit(id, addBox, { cls: 'WBC', box: { x1: 200, y1: 10, x2: 280, y2: 90 }, width: 640, height: 480 });
    await runner.classifyMissing(id);
    expect(store.getState().images[id].classifiers).toEqual([{ name: 'test', sha256: 'b'.repeat(64) }, typedBy]);
  });
});

describe('BatchRunner: annotations', () => {
  it('an annotation without its image says so, and is used when the image comes', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), fakeDecoder());
    const xml = new File(['<annotation><filename>later.jpg</filename><size><width>640</width><height>480</height></size><object><name>RBC</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>50</xmax><ymax>50</ymax></bndbox></object></annotation>'], 'later.xml');
    await runner.addFiles([xml]);
    expect(store.getState().notices.map((n) => [n.kind, n.subject])).toEqual([['info', 'later.xml']]);
    expect(store.getState().notices[0].message).toMatch(/no image named later\.jpg/);
    await runner.addFiles([jpeg('later.jpg', 640, 480)]);
    const im = Object.values(store.getState().images)[0];
    expect(im.gt).toHaveLength(1);
    expect(store.getState().notices).toEqual([]);
  });
  it("an annotation naming its image in another Unicode form (a Mac's NFD, Windows' NFC) finds it", async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), fakeDecoder());
    const box = `<size><width>640</width><height>480</height></size><object><name>RBC</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>50</xmax><ymax>50</ymax></bndbox></object>`;
    // written on Windows (composed), its image copied from a Mac (decomposed); and the other way round, the
    // annotation first
    await runner.addFiles([jpeg('Blu\u0308te.jpg', 640, 480), new File([`<annotation><filename>Bl\u00fcte.jpg</filename>${box}</annotation>`], 'Bl\u00fcte.xml')]);
    await runner.addFiles([new File([`<annotation><filename>Mu\u0308ller.jpg</filename>${box}</annotation>`], 'Mu\u0308ller.xml')]);
    await runner.addFiles([jpeg('M\u00fcller.jpg', 640, 480, true, 1)]);
    const st = store.getState();
    expect(st.order.map((id) => [st.images[id].name, st.images[id].gt?.length])).toEqual([
      ['Blu\u0308te.jpg', 1],
      ['M\u00fcller.jpg', 1],
    ]);
    expect(st.notices).toEqual([]);
  });
  it("another tool's class names are read, and a name none of them is says so rather than vanishing", async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), fakeDecoder());
    await runner.addFiles([jpeg('other.jpg', 640, 480)]);
    const box = (n: string, x: number) => `<object><name>${n}</name><bndbox><xmin>${x}</xmin><ymin>1</ymin><xmax>${x + 20}</xmax><ymax>21</ymax></bndbox></object>`;
    const xml = new File([`<annotation><filename>other.jpg</filename><size><width>640</width><height>480</height></size>${box('rbc', 1)}${box('Platelet', 40)}${box('Smudge cell', 80)}</annotation>`], 'other.xml');
    await runner.addFiles([xml]);
    const im = Object.values(store.getState().images)[0];
    expect(im.gt?.map((o) => o.cls)).toEqual(['RBC', 'Platelets']);
    expect(store.getState().notices.map((n) => n.message)).toEqual([expect.stringMatching(/“Smudge cell” are not RBC, WBC .* left out of the reference counts/)]);
  });
});

describe('BatchRunner: one file name in two Unicode forms', () => {
  it('the same picture under a Mac\'s and a Windows spelling of its name is a copy of itself, and a refused file dropped again whole is no longer refused', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), fakeDecoder());
    // refused from a Mac (truncated), then dropped whole from Windows
    await runner.addFiles([new File(['random bytes'], 'Blu\u0308te.jpg', { type: 'image/jpeg' })]);
    expect(store.getState().refused.map((r) => r.name)).toEqual(['Blu\u0308te.jpg']);
    await runner.addFiles([jpeg('Bl\u00fcte.jpg', 640, 480)]);
    // before: still named as a file not counted, beside the image counted from it
    expect(store.getState().refused).toEqual([]);
    // the same bytes again, from the Mac: the notice says it is this image, not "as Blüte.jpg", another name
    await runner.addFiles([jpeg('Blu\u0308te.jpg', 640, 480)]);
    const dup = store.getState().notices.filter((n) => n.kind === 'info');
    expect(dup.map((n) => n.message)).toEqual(['Already in this batch: the same image is counted once.']);
    // the names keep the spelling they came with
    expect(Object.values(store.getState().images).map((im) => im.name)).toEqual(['Bl\u00fcte.jpg']);
  });
});

describe('BatchRunner: cancel', () => {
  it('files added right after Cancel, while the cancelled run is still finishing, are detected and the run ends', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    // A detector that holds every detection until released: the cancelled run is still busy when the
    // next files come.
    const inner = fakeClient(() => card.scale!.referenceRbcPx);
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const client = {
      classify: inner.classify.bind(inner),
      async detect(bmp: ImageBitmap) {
        await gate;
        return inner.detect(bmp);
      },
    };
    const runner = new BatchRunner(store, async () => client, cardWithoutScale, createImageFiles(), fakeDecoder());
    const settle = async (ms: number) => new Promise((r) => setTimeout(r, ms));
    await runner.addFiles([0, 1, 2, 3, 4].map((i) => jpeg(`a${i}.jpg`, 640, 480, true, i)));
    await settle(20);
    runner.cancel(); // the three in flight finish; the other two leave the batch
    await runner.addFiles([jpeg('after.jpg', 640, 480, true, 9)]);
    gate = Promise.resolve();
    release();
    for (let i = 0; i < 100 && (store.getState().run || store.getState().order.some((id) => ['queued', 'running'].includes(store.getState().images[id].status))); i++) await settle(5);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status])).toEqual([
      ['a0.jpg', 'done'],
      ['a1.jpg', 'done'],
      ['a2.jpg', 'done'],
      ['after.jpg', 'done'],
    ]);
    expect(s.run).toBeNull();
  });
});

/** A drop of `n` files whose file `held` is held in intake (its bytes read for the hash) until `release`. */
function heldDrop(n: number, held: number) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const files = Array.from({ length: n }, (_, i) => jpeg(`d${i}.jpg`, 640, 480, true, i));
  const read = files[held].arrayBuffer.bind(files[held]);
  Object.defineProperty(files[held], 'arrayBuffer', { value: async () => (await gate, read()) });
  return { files, release };
}

describe('BatchRunner: cancel while the drop is still being checked', () => {
  const settle = async (ms: number) => new Promise((r) => setTimeout(r, ms));
  it('Cancel stops the intake too: files not yet taken in never join the batch, and the notice counts them', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, createImageFiles(), fakeDecoder());
    const { files, release } = heldDrop(12, 3);
    const adding = runner.addFiles(files);
    for (let i = 0; i < 200 && store.getState().order.length < 3; i++) await settle(1);
    expect(store.getState().order).toHaveLength(3);
    runner.cancel();
    release();
    await adding;
    for (let i = 0; i < 100 && (store.getState().run || store.getState().order.some((id) => ['queued', 'running'].includes(store.getState().images[id].status))); i++) await settle(5);
    const s = store.getState();
    // nothing dropped before Cancel came in after it
    expect(s.order.every((id) => ['d0.jpg', 'd1.jpg', 'd2.jpg'].includes(s.images[id].name))).toBe(true);
    const notice = s.notices.find((n) => n.source === 'batch');
    expect(notice?.message).toMatch(/^Cancelled: (\d+) images? not yet counted left the batch/);
    expect(Number(/Cancelled: (\d+)/.exec(notice!.message)![1]) + s.order.length).toBe(12);
    expect(s.notices.filter((n) => n.source === 'file')).toEqual([]);
    expect(s.intake).toBe(0);
  });
  it('the files of a drop still to be checked are on the intake count, one by one, so that the progress can name them', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, createImageFiles(), fakeDecoder());
    const { files, release } = heldDrop(10, 4);
    const adding = runner.addFiles([...files, new File(['<annotation/>'], 'd0.xml')]);
    for (let i = 0; i < 200 && store.getState().order.length < 4; i++) await settle(1);
    // four filed; the held one and the five after it, and the annotation, still to come
    expect(store.getState().order.length + store.getState().intake).toBe(11);
    release();
    await adding;
    expect(store.getState().intake).toBe(0);
  });
  it('a session cleared while a drop is checked starts empty: the rest of that drop never lands in the next sample', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const images = createImageFiles();
    const runner = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, images, fakeDecoder());
    const { files, release } = heldDrop(8, 2);
    const adding = runner.addFiles(files);
    for (let i = 0; i < 200 && store.getState().order.length < 2; i++) await settle(1);
    // what services' clearSession does
    runner.cancel();
    store.getState().clearBatch();
    images.clear();
    release();
    await adding;
    for (let i = 0; i < 100 && store.getState().run; i++) await settle(5);
    await settle(20);
    expect(store.getState().order).toEqual([]);
    expect(store.getState().refused).toEqual([]);
    // a drop after the clear is the new sample's, and is counted
    await runner.addFiles([jpeg('next.jpg', 640, 480, true, 99)]);
    for (let i = 0; i < 100 && store.getState().order.some((id) => store.getState().images[id].status !== 'done'); i++) await settle(5);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status])).toEqual([['next.jpg', 'done']]);
  });
});

describe('BatchRunner: cancel never drops a picture that cannot be dropped again', () => {
  const settle = async (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** A detector that holds every detection until `open()`. */
  function gated() {
    const inner = fakeClient(() => card.scale!.referenceRbcPx);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    return { open, client: { classify: inner.classify.bind(inner), detect: async (bmp: ImageBitmap) => (await gate, inner.detect(bmp)) } };
  }
  const busy = (store: ReturnType<typeof createAppStore>) => store.getState().run || store.getState().order.some((id) => ['queued', 'running'].includes(store.getState().images[id].status));
  it('images counted before and queued again (Count again) stay in the batch with their files, and are counted', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const files = createImageFiles();
    const first = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, files, fakeDecoder());
    await first.addFiles([0, 1, 2, 3, 4, 5].map((i) => jpeg(`f${i}.jpg`, 640, 480, true, i)));
    for (let i = 0; i < 100 && busy(store); i++) await settle(5);
    const ids = [...store.getState().order];
    expect(ids.map((id) => store.getState().images[id].status)).toEqual(Array(6).fill('done'));
    // Count again with another setting; Cancel while the first three are being counted
    const { open, client } = gated();
    const runner = new BatchRunner(store, async () => client, cardWithoutScale, files, fakeDecoder());
    store.getState().requeue(ids);
    runner.resume();
    await settle(20);
    runner.cancel();
    open();
    for (let i = 0; i < 200 && busy(store); i++) await settle(5);
    const s = store.getState();
    expect(s.order).toEqual(ids);
    expect(ids.map((id) => s.images[id].status)).toEqual(Array(6).fill('done'));
    expect(ids.every((id) => files.get(id))).toBe(true);
    expect(s.notices.find((n) => n.source === 'batch')?.message).toMatch(/3 images counted before .* stay in the batch/);
  });
  it('fields captured live stay in the batch when the batch is cancelled: the app holds their only copy', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const files = createImageFiles();
    const { open, client } = gated();
    const runner = new BatchRunner(store, async () => client, cardWithoutScale, files, fakeDecoder());
    for (let i = 0; i < 5; i++) await runner.addFiles([jpeg(`live-000${i}.jpg`, 640, 480, true, i)], { source: 'live', at: `2026-12-06T09:00:0${i}.000Z` });
    await runner.addFiles([jpeg('dropped.jpg', 640, 480, true, 9)]);
    await settle(20);
    runner.cancel();
    open();
    for (let i = 0; i < 200 && busy(store); i++) await settle(5);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status])).toEqual([0, 1, 2, 3, 4].map((i) => [`live-000${i}.jpg`, 'done']));
    expect(s.notices.find((n) => n.source === 'batch')?.message).toMatch(/^Cancelled: 1 image not yet counted left the batch \(.*dropped\.jpg.*\)/);
  });
});

describe('BatchRunner: while the model loads', () => {
  it('decodes the first images before the model is ready; a model that fails to load leaves them queued', async () => {
    const store = createAppStore(card.postprocess);
    const decoder = fakeDecoder();
    const decoded: string[] = [];
    let fail!: (e: Error) => void;
    const model = new Promise<never>((_, reject) => (fail = reject));
    const runner = new BatchRunner(store, () => model, cardWithoutScale, createImageFiles(), decoder, null, (id) => decoded.push(id));
    await runner.addFiles([jpeg('a.jpg', 640, 480), jpeg('b.jpg', 640, 480, true, 1)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(decoded).toHaveLength(2); // thumbnails and decoding did not wait for the model
    fail(new Error('no model'));
    for (let i = 0; i < 100 && store.getState().run; i++) await new Promise((r) => setTimeout(r, 5));
    const s = store.getState();
    expect(s.run).toBeNull();
    expect(s.order.map((id) => s.images[id].status)).toEqual(['queued', 'queued']);
  });
});

describe('BatchRunner: the intake journal', () => {
  /** A ready runner and an intake journal kept in memory (localStorage's part of it). */
  function journaled() {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), cardWithoutScale, createImageFiles(), fakeDecoder());
    const m = new Map<string, string>();
    const list = new IntakeJournal({ getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) });
    return { store, runner, list };
  }
  it("a drop's files stay on the journal while they are read and until the save after them commits (a reload in between names them)", async () => {
    const { store, runner, list } = journaled();
    let commit!: () => void;
    const saves: string[][] = [];
    runner.journalIntake(list, () => {
      // what the save is asked to commit: the batch as read so far, and the journal still holding the drop
      saves.push([store.getState().order.length.toString(), ...list.pending()]);
      return new Promise<void>((r) => (commit = r));
    });
    const done = runner.addFiles([jpeg('a.jpg', 640, 480), jpeg('b.jpg', 640, 480, true, 1), new File([''], 'empty.jpg')]);
    // while the first file is being read, the whole drop is on the journal
    expect(list.pending()).toEqual(['a.jpg', 'b.jpg', 'empty.jpg']);
    await expect.poll(() => saves.length).toBe(1);
    // every file was read (two images, one refused) before the save, and the journal waits for its commit
    expect(saves[0]).toEqual(['2', 'a.jpg', 'b.jpg', 'empty.jpg']);
    await done;
    expect(list.pending()).toEqual(['a.jpg', 'b.jpg', 'empty.jpg']);
    commit();
    await expect.poll(() => list.pending()).toEqual([]);
  });
  it('handing the batch over once it is committed: the drops read in full leave the journal at once, a drop the next window reads about', async () => {
    const { runner, list } = journaled();
    // the save a drop waits for ends after the other window has read the journal (or never, halted)
    runner.journalIntake(list, () => new Promise<void>(() => undefined));
    await runner.addFiles([jpeg('a.jpg', 640, 480), new File([''], 'empty.jpg')]);
    await runner.addFiles([jpeg('live-0001.jpg', 640, 480, true, 1)], { source: 'live', at: '2026-12-06T23:58:00.000Z' });
    expect(list.pending()).toEqual(['a.jpg', 'empty.jpg', 'live-0001.jpg']);
    runner.journalCommitted();
    expect(list.pending()).toEqual([]);
  });
  it("Clear session takes the last sample's drops off the journal: a page that goes before their save commits names none of them to the next sample", async () => {
    const { runner, list } = journaled();
    // the saves the drops wait for have not committed when the session is cleared (and the page then goes)
    runner.journalIntake(list, () => new Promise<void>(() => undefined));
    await runner.addFiles([jpeg('Quornby-a.jpg', 640, 480), new File([''], 'Quornby-empty.jpg')]);
    // and one still being read
    const { files, release } = heldDrop(4, 1);
    const adding = runner.addFiles(files);
    expect(list.pending()).toEqual(['Quornby-a.jpg', 'Quornby-empty.jpg', 'd0.jpg', 'd1.jpg', 'd2.jpg', 'd3.jpg']);
    // what services' clearSession does
    runner.cancel();
    runner.forgetSession();
    expect(list.pending()).toEqual([]);
    // the drop being read ends after the clearing; the next sample's drop of a name of it keeps its own entry
    await runner.addFiles([jpeg('d0.jpg', 640, 480, true, 50)]);
    release();
    await adding;
    await new Promise((r) => setTimeout(r, 20));
    expect(list.pending()).toEqual(['d0.jpg']);
  });
  it('a field captured live is on the journal as a capture, not as a file to drop again', async () => {
    const { runner, list } = journaled();
    runner.journalIntake(list, () => new Promise<void>(() => undefined));
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await runner.addFiles([jpeg('live-0001.jpg', 640, 480, true, 1)], { source: 'live', at: '2026-12-05T08:41:07.000Z' });
    expect(list.pending()).toEqual(['a.jpg', 'live-0001.jpg']);
    expect(list.captured()).toEqual(['live-0001.jpg']);
  });
  it("a folder's files are on the journal by their place in it, as a refusal names them (a reload mid-drop names only those lost)", async () => {
    const { store, runner, list } = journaled();
    runner.journalIntake(list, () => new Promise<void>(() => undefined));
    const inFolder = (f: File) => Object.defineProperty(f, 'webkitRelativePath', { value: `day1/${f.name}` });
    await runner.addFiles([inFolder(jpeg('a.jpg', 640, 480)), inFolder(new File([''], 'empty.jpg'))]);
    expect(list.pending()).toEqual(['day1/a.jpg', 'day1/empty.jpg']);
    const st = store.getState();
    // what services.startSession compares after a reload: nothing is lost, the refused file is named once
    expect(lostInIntake(list.pending(), { images: st.order.map((id) => st.images[id].path ?? st.images[id].name), refused: st.refused.map((r) => r.name) })).toEqual([]);
  });
});

describe('BatchRunner: halted while another window owns the batch', () => {
  it('a field captured live is refused by name as lost (no file to add again), or taken in uncounted while the owner hands the batch over', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready', backend: 'wasm', threads: 1 });
    const runner = new BatchRunner(store, async () => fakeClient(() => card.scale!.referenceRbcPx), cardWithoutScale, createImageFiles(), fakeDecoder());
    const live = { source: 'live', at: '2026-12-06T23:58:00.000Z' } as const;
    runner.halt('files not added: add them again', 'a field captured live, lost: capture it again');
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await runner.addFiles([jpeg('live-0001.jpg', 640, 480, true, 1)], live);
    expect(store.getState().order).toEqual([]);
    expect(store.getState().notices.map((n) => [n.kind, n.subject, n.message])).toEqual([
      ['warning', '', 'files not added: add them again'],
      ['error', 'live-0001.jpg', 'a field captured live, lost: capture it again'],
    ]);
    // handing over: the field being encoded joins the batch, queued for the window that takes it; a drop does not
    runner.halt('files not added: add them again', 'admit');
    await runner.addFiles([jpeg('live-0002.jpg', 640, 480, true, 2)], live);
    await runner.addFiles([jpeg('b.jpg', 640, 480, true, 3)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().order.map((id) => [store.getState().images[id].name, store.getState().images[id].status])).toEqual([['live-0002.jpg', 'queued']]);
  });
});
