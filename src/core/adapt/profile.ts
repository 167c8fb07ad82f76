/**
 * The microscope profile: the verified cells a lab's workstations learn from (embedding and type), the
 * scale override and the count rule, for one classifier. Exported and imported as JSON; an import is
 * validated (schema, sizes, the classifier's sha256) and a bad file changes nothing.
 */
import { isCountRule, type CountRule } from '../detection/postprocess';
import { AppError } from '../errors';
import { isWbcType, WBC_TYPES, type WbcType } from '../differential/differential';

export const PROFILE_FORMAT = 'smearcount-microscope-profile';
export const PROFILE_VERSION = 1;
/** Bounds on what an import may hold: a profile is small (a few thousand cells at most). */
export const MAX_PROFILE_BYTES = 16 * 1024 * 1024;
export const MAX_PROFILE_CELLS = 5000;

export interface ProfileCell {
  /** A hash of the cell's rounded embedding: the same cell verified again replaces itself. It names no
   * image, file or cell: the profile keeps only what adaptation needs (embeddings, types, counts). */
  key: string;
  type: WbcType;
  e: number[];
  /** Whether the model's own type agreed with the verified one; absent: not known. */
  modelRight?: boolean;
  /** The model's own type probabilities for the cell (classifier order): the blend must beat them. */
  p?: number[];
}

export interface MicroscopeProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  name: string;
  updated: string;
  classifier: { name: string; sha256: string; embeddingDim: number; classes: WbcType[] };
  fixedScale: number | null;
  countRule: CountRule;
  cells: ProfileCell[];
}


export interface ClassifierIdentity {
  name: string;
  sha256: string;
  dim: number;
}

export function emptyProfile(c: ClassifierIdentity, countRule: CountRule = 'all'): MicroscopeProfile {
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name: 'This microscope',
    updated: new Date().toISOString(),
    classifier: { name: c.name, sha256: c.sha256, embeddingDim: c.dim, classes: [...WBC_TYPES] },
    fixedScale: null,
    countRule,
    cells: [],
  };
}

/** The magnifications (the zoom each image is counted at) the settings offer: cells 2× smaller to 2× larger
 * than the model's usual size, the range the detector handles. A profile's scale override outside it was
 * not written by this app, and an absurd one (15×, 0.06×) would count at the card's scale limits while
 * the report named the absurd figure. */
export const FIXED_SCALE_MIN = 0.5;
export const FIXED_SCALE_MAX = 2;
export const isFixedScale = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= FIXED_SCALE_MIN - 1e-9 && x <= FIXED_SCALE_MAX + 1e-9;

/** A stored profile's scale override and count rule, each where it is one this app sets (a profile saved by
 * another version may hold others: an older one let in scales up to 20, and an unknown rule counted as
 * 'half' while the page named none); `refused` says in words what was left out. countRule null: keep the
 * rule in force. */
export function storedSettings(p: { fixedScale?: unknown; countRule?: unknown }): { fixedScale: number | null; countRule: CountRule | null; refused: string[] } {
  const refused: string[] = [];
  const scale = p.fixedScale ?? null;
  const fixedScale = scale === null || isFixedScale(scale) ? scale : null;
  if (scale !== fixedScale) refused.push(`the scale override ${JSON.stringify(scale)} (not a zoom from ${FIXED_SCALE_MIN} to ${FIXED_SCALE_MAX}): the magnification is estimated per image`);
  const countRule = isCountRule(p.countRule) ? p.countRule : null;
  if (!countRule) refused.push(`unknown count rule ${String(p.countRule)}: the count rule in force is kept`);
  return { fixedScale, countRule, refused };
}

/** The embedding as the profile file keeps it (float32 features to 5 significant digits). */
export const roundEmbedding = (e: readonly number[]) => e.map((v) => Number(v.toPrecision(5)));

/** A cell's key from its embedding alone (FNV-1a over the rounded values), the same before and after an
 * export and import. */
export function cellKey(e: readonly number[]): string {
  let h = 0x811c9dc5;
  const text = roundEmbedding(e).join(',');
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  let g = 0x2f1a3b5c;
  for (let i = text.length - 1; i >= 0; i--) g = Math.imul(g ^ text.charCodeAt(i), 0x01000193);
  return `e${(h >>> 0).toString(16).padStart(8, '0')}${(g >>> 0).toString(16).padStart(8, '0')}`;
}

/** A stored or imported cell as the profile keeps it: its key from the embedding, nothing else about where
 * it came from (profiles written before this held imageId/detectionId keys). */
export const anonymousCell = (c: Omit<ProfileCell, 'key'> & { key?: unknown }): ProfileCell => ({ key: cellKey(c.e), type: c.type, e: c.e, ...(c.modelRight !== undefined ? { modelRight: c.modelRight } : {}), ...(c.p ? { p: c.p } : {}) });

/** Reads a profile file's text for this classifier, or throws an AppError ('profile') that says what is wrong. */
export function parseProfile(text: string, c: ClassifierIdentity): MicroscopeProfile {
  if (text.length > MAX_PROFILE_BYTES) throw new AppError('profile', `the file is too large for a microscope profile (${(text.length / 1e6).toFixed(1)} MB; at most ${MAX_PROFILE_BYTES / 1e6} MB)`);
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AppError('profile', 'the file is not JSON');
  }
  if (!j || typeof j !== 'object' || j.format !== PROFILE_FORMAT) throw new AppError('profile', 'the file is not a smearcount microscope profile');
  if (j.version !== PROFILE_VERSION) throw new AppError('profile', `profile version ${String(j.version)} is not supported (this app reads version ${PROFILE_VERSION})`);
  const cl = (j.classifier ?? {}) as Record<string, unknown>;
  if (cl.sha256 !== c.sha256) {
    throw new AppError('profile', `the profile was made for another WBC classifier (sha256 ${String(cl.sha256).slice(0, 12)}…; this app runs ${c.sha256.slice(0, 12)}…)`);
  }
  if (cl.embeddingDim !== c.dim) throw new AppError('profile', `the profile's embeddings have ${String(cl.embeddingDim)} values; this classifier's have ${c.dim}`);
  if (!Array.isArray(cl.classes) || cl.classes.length !== WBC_TYPES.length || cl.classes.some((t, i) => t !== WBC_TYPES[i])) throw new AppError('profile', 'the profile lists other WBC types');
  const name = typeof j.name === 'string' ? j.name.slice(0, 200) : 'Imported profile';
  const fixedScale = j.fixedScale ?? null;
  if (fixedScale !== null && !isFixedScale(fixedScale))
    throw new AppError('profile', `the scale override ${JSON.stringify(fixedScale)} is not one this app sets: a zoom from ${FIXED_SCALE_MIN} to ${FIXED_SCALE_MAX} (cells 2× larger to 2× smaller than usual), or null`);
  const countRule = j.countRule ?? 'all';
  // every rule the settings offer, the two-edge rule among them (a list of its own here once left it out)
  if (!isCountRule(countRule)) throw new AppError('profile', `unknown count rule ${String(countRule)}`);
  if (!Array.isArray(j.cells)) throw new AppError('profile', 'the profile has no cells list');
  if (j.cells.length > MAX_PROFILE_CELLS) throw new AppError('profile', `the profile has ${j.cells.length} cells; at most ${MAX_PROFILE_CELLS} are read`);
  const cells: ProfileCell[] = j.cells.map((x: unknown, i: number) => {
    const cell = (x ?? {}) as Record<string, unknown>;
    if (!isWbcType(cell.type)) throw new AppError('profile', `cell ${i + 1}: unknown type ${String(cell.type)}`);
    if (!Array.isArray(cell.e) || cell.e.length !== c.dim) throw new AppError('profile', `cell ${i + 1}: the embedding must have ${c.dim} values`);
    if (!cell.e.every((v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6)) throw new AppError('profile', `cell ${i + 1}: the embedding holds a value that is not a finite number`);
    if (cell.modelRight !== undefined && typeof cell.modelRight !== 'boolean') throw new AppError('profile', `cell ${i + 1}: modelRight must be true or false`);
    const p = cell.p;
    if (p !== undefined && !(Array.isArray(p) && p.length === WBC_TYPES.length && p.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1)))
      throw new AppError('profile', `cell ${i + 1}: p must be ${WBC_TYPES.length} probabilities`);
    // any key in the file (an older version wrote image and cell ids) is dropped
    return anonymousCell({ type: cell.type, e: cell.e as number[], ...(typeof cell.modelRight === 'boolean' ? { modelRight: cell.modelRight } : {}), ...(p ? { p: p as number[] } : {}) });
  });
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name,
    updated: typeof j.updated === 'string' ? j.updated : new Date().toISOString(),
    classifier: { name: String(cl.name ?? c.name), sha256: c.sha256, embeddingDim: c.dim, classes: [...WBC_TYPES] },
    fixedScale,
    countRule,
    cells,
  };
}

/** The profile as a file: type, embedding (rounded to 5 significant digits: float32 features) and the
 * model-agreement bit per cell; no key (it is the embedding's hash, recomputed on import). */
export function profileJson(p: MicroscopeProfile): string {
  const cells = p.cells.map((c) => ({ type: c.type, e: roundEmbedding(c.e), ...(c.modelRight !== undefined ? { modelRight: c.modelRight } : {}) }));
  return JSON.stringify({ ...p, cells });
}
