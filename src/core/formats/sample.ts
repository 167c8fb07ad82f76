/**
 * The sample ID in every export: in the file name, and in the content of each format (a first CSV column,
 * a VOC element, COCO's info, the JSON's top level, a PNG text chunk). Applied to what the exporters
 * write, so the exporters themselves stay as they are.
 */
import { AppError } from '../errors';
import { csvField } from './csv';
import { crc32 } from './zip';

/** A file-name-safe form of the sample ID (letters and digits of any script with their marks, . _ -; the
 * rest, direction controls included, becomes _). Letters of any script: ASCII only made an Arabic "عينة"
 * "no-sample-id", as if none was given, and "عينة-7" and "مريض-7" both "-7", one file name for two samples;
 * a Polish "Łódź-7" became "_d_-7". NFC, so one ID typed on a Mac and on Windows names its files alike;
 * cut at 64 characters, never inside one. */
export function safeName(sampleId: string): string {
  const safe = sampleId.normalize('NFC').trim().replace(/[^\p{L}\p{M}\p{N}._-]+/gu, '_').replace(/^[._]+/, '');
  return Array.from(safe).slice(0, 64).join('') || 'no-sample-id';
}

/** `<kind>-<sample>-<time>.<ext>`; the time keeps two exports of one sample apart. It is UTC, and ends in Z
 * to say so: the report and the CSVs' `released_at` give local time with its offset, and a file name that
 * read as local time would be off by the lab's offset from them. */
export function exportName(kind: string, sampleId: string, ext: string, at = new Date()): string {
  const stamp = `${at.toISOString().slice(0, 19).replace(/[:T]/g, '-')}Z`;
  return `${kind}-${safeName(sampleId)}-${stamp}.${ext}`;
}

/** Adds a sample_id column (and a models column, where given) after every row of a CSV (header included;
 * last, so existing columns keep their places); the line ending is kept. */
export function csvWithSample(csv: string, sampleId: string, models?: string): string {
  const eol = csv.includes('\r\n') ? '\r\n' : '\n';
  const lines = csv.split(eol);
  const cell = csvField(sampleId) + (models === undefined ? '' : `,${csvField(models)}`);
  const head = models === undefined ? 'sample_id' : 'sample_id,models';
  return lines.map((l, i) => (l === '' && i === lines.length - 1 ? l : i === 0 ? `${l},${head}` : `${l},${cell}`)).join(eol);
}

/** The engine that counted some images of a batch ('not recorded': counted before the image kept it). */
export interface EngineUse {
  backend: string;
  threads: number | null;
  images: number;
}

/** "wasm x1", or "wasm-threads x2 (5 images), wasm x1 (3 images)" when several counted the batch. */
export function engineText(engines: readonly EngineUse[]): string {
  return engines.map((e) => `${e.backend}${e.threads ? ` x${e.threads}` : ''}${engines.length > 1 ? ` (${e.images} image${e.images === 1 ? '' : 's'})` : ''}`).join(', ');
}

/** Which models and settings made an export's numbers (the report's Appendix B, for the data files). */
export interface Provenance {
  /** The app's version and commit (services/appVersion). */
  app?: string;
  detector: { name: string; sha256: string };
  classifier: { name: string; sha256: string } | null;
  /** The engine that counted the images, where one engine counted them all (else null: see `engines`). */
  engine: string | null;
  threads: number | null;
  /** Every engine that counted images of the batch, recorded per image when it was counted. */
  engines?: EngineUse[];
  /** The WBC classifier's adaptation to this microscope, in the report's words (null: not adapted). */
  adaptation?: string | null;
  /** Detector models other than `detector` that counted images of the batch (recorded per image: a batch
   * restored after an update to another model), with how many images each counted. */
  otherDetectors?: { name: string; sha256: string; images: number }[];
  /** Likewise the classifier models other than `classifier` whose WBC types images of the batch hold. */
  otherClassifiers?: { name: string; sha256: string; images: number }[];
}

/** One line of it, for a CSV cell. */
export function provenanceText(p: Provenance): string {
  const m = (x: { name: string; sha256: string }) => `${x.name} sha256:${x.sha256}`;
  const engine = p.engines?.length ? `engine ${engineText(p.engines)}` : p.engine ? `engine ${p.engine}${p.threads ? ` x${p.threads}` : ''}` : null;
  const others = (list: Provenance['otherDetectors'], done: string) => (list?.length ? list.map((d) => `${d.images} image${d.images === 1 ? '' : 's'} ${done} by ${m(d)}`).join('; ') : null);
  return [p.app ? `smearcount ${p.app}` : null, m(p.detector), others(p.otherDetectors, 'counted'), p.classifier ? m(p.classifier) : null, others(p.otherClassifiers, 'typed'), engine, p.adaptation ?? null].filter(Boolean).join('; ');
}

const xmlEscape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A <sample_id> element first inside <annotation> (VOC readers ignore unknown elements). */
export function vocWithSample(xml: string, sampleId: string): string {
  return xml.replace(/<annotation>/, `<annotation>\n  <sample_id>${xmlEscape(sampleId)}</sample_id>`);
}

/** A JSON export with the sample (and anything else, e.g. the audit trail) at its top level; a top-level
 * array becomes {…, images: [...]}. */
export function jsonWithSample(json: string, extra: Record<string, unknown>): string {
  const v = JSON.parse(json) as unknown;
  const body = Array.isArray(v) ? { images: v } : (v as Record<string, unknown>);
  return JSON.stringify({ ...extra, ...body }, null, 2);
}

/** COCO keeps its shape: the sample (and the models, where given) go into `info`. */
export function cocoWithSample(json: string, sampleId: string, models?: Provenance): string {
  const v = JSON.parse(json) as { info?: Record<string, unknown> };
  return JSON.stringify({ ...v, info: { ...(v.info ?? {}), sample_id: sampleId, ...(models ? { models } : {}) } }, null, 2);
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, data.length);
  chunk.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
  chunk.set(data, 8);
  dv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** Text chunks right after the PNG's IHDR: the sample ID as tEXt (keyword "Sample ID"; iTXt where it is not
 * Latin-1), and, where given,
 * the report's release as iTXt (UTF-8: a verifier's name is not always Latin-1), keywords "Report state"
 * (released, withdrawn, preliminary) and "Release" (the report's line), and the models that made the figures
 * ("Models", the CSVs' `models` text), which exiftool, Pillow and `pngcheck -t` list. */
export function pngWithSample(png: Uint8Array, sampleId: string, release?: { state: string; line: string; models?: string; scale?: string }): Uint8Array {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 33 || sig.some((b, i) => png[i] !== b)) throw new AppError('export', 'not a PNG');
  const ihdrEnd = 8 + 12 + ((png[8] << 24) | (png[9] << 16) | (png[10] << 8) | png[11]);
  // tEXt is Latin-1: anything else is written as ?
  const latin1 = (text: string) => Uint8Array.from(text, (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 63));
  // iTXt: keyword, NUL, not compressed (0, 0), no language tag, no translated keyword, then UTF-8 text
  const itxt = (keyword: string, text: string) => pngChunk('iTXt', Uint8Array.from([...latin1(`${keyword}\0`), 0, 0, 0, 0, ...new TextEncoder().encode(text)]));
  // the sample ID as tEXt where Latin-1 holds it; else as iTXt: tEXt wrote "Łódź-7" as "?ód?-7", another ID
  const isLatin1 = [...sampleId].every((c) => c.charCodeAt(0) < 256);
  const chunks = [isLatin1 ? pngChunk('tEXt', latin1(`Sample ID\0${sampleId}`)) : itxt('Sample ID', sampleId), ...(release ? [itxt('Report state', release.state), itxt('Release', release.line)] : []), ...(release?.models ? [itxt('Models', release.models)] : []), ...(release?.scale ? [itxt('Scale', release.scale)] : [])];
  const extra = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(png.length + extra);
  out.set(png.subarray(0, ihdrEnd));
  let at = ihdrEnd;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  out.set(png.subarray(ihdrEnd), at);
  return out;
}
