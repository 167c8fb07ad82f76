/**
 * The WBC differential: types, their clinical order, and the arithmetic a report uses. Percentages are
 * over the five normal types plus immature granulocytes (they sum to 100%); erythroblasts (nucleated
 * red cells) are reported per 100 WBC, outside the 100%, as clinical analyzers do.
 */
import { aliasOf } from '../detection/classes';
import { fixed } from '../formats/numbers';

export const WBC_TYPES = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast'] as const;
export type WbcType = (typeof WBC_TYPES)[number];

export const WBC_LABEL: Record<WbcType, string> = {
  neutrophil: 'Neutrophils',
  lymphocyte: 'Lymphocytes',
  monocyte: 'Monocytes',
  eosinophil: 'Eosinophils',
  basophil: 'Basophils',
  immature_granulocyte: 'Immature granulocytes',
  erythroblast: 'Erythroblasts (NRBC)',
};

/** The types inside the 100%, in clinical order. */
export const IN_DIFFERENTIAL: readonly WbcType[] = WBC_TYPES.slice(0, 6);

/** Whether a WBC's type is the model's and unsure: under the card's confidence bar, typed on a box too
 * small to be a white cell (`small`), or read from an image without colour (`grey`: a monochrome camera),
 * however confident the model was (both set in core/edits applyTypes). */
export function typeUnsure(w: { origin: string; p: number; small?: boolean; grey?: boolean }, lowConfidence: number): boolean {
  return w.origin === 'model' && (w.p < lowConfidence || !!w.small || !!w.grey);
}

/** A WBC's type as the box's label and the review line say it: "neutrophil 0.93" ("neutrophil 0,93" in a
 * `locale` that writes a decimal comma), "(set by hand)", and why a confident type is unsure; a cell put among
 * smudge / other says so (it is counted there, not as its type). */
export function typeText(w: { type: WbcType; origin: string; p: number; small?: boolean; grey?: boolean; category?: 'smudge' | 'other'; note?: string }, locale?: string): string {
  if (w.category) return `${w.category === 'smudge' ? 'smudge / damaged' : 'other / unidentified'}${w.note ? ` (${w.note})` : ''}`;
  if (w.origin === 'manual') return `${w.type.replace('_', ' ')} (set by hand)`;
  const why = w.small ? ', box too small for a WBC: unsure' : w.grey ? ', no colour in the image: unsure' : '';
  return `${w.type.replace('_', ' ')} ${fixed(w.p, 2, locale)}${why}`;
}

/** A WBC's short code on the canvas and the annotated PNG: its type's, or SMU / OTH for a cell put among
 * smudge / other (as on its gallery tile). */
export function typeCode(w: { type: WbcType; category?: 'smudge' | 'other' }, code: Readonly<Record<string, string>>): string {
  const g = w.category ?? w.type;
  return code[g] ?? g.slice(0, 3).toUpperCase();
}

export function isWbcType(x: unknown): x is WbcType {
  return typeof x === 'string' && (WBC_TYPES as readonly string[]).includes(x);
}

const TYPE_ALIASES: Record<string, WbcType> = {
  neutrophil: 'neutrophil', neu: 'neutrophil', neut: 'neutrophil', segmented_neutrophil: 'neutrophil', band_neutrophil: 'neutrophil', segmented: 'neutrophil', band: 'neutrophil', snet: 'neutrophil', bnet: 'neutrophil',
  lymphocyte: 'lymphocyte', lym: 'lymphocyte', lymph: 'lymphocyte', lympho: 'lymphocyte',
  monocyte: 'monocyte', mon: 'monocyte', mono: 'monocyte',
  eosinophil: 'eosinophil', eos: 'eosinophil', eo: 'eosinophil', eosino: 'eosinophil',
  basophil: 'basophil', bas: 'basophil', baso: 'basophil',
  immature_granulocyte: 'immature_granulocyte', ig: 'immature_granulocyte', immature: 'immature_granulocyte',
  erythroblast: 'erythroblast', nrbc: 'erythroblast', nucleated_red_blood_cell: 'erythroblast', nucleated_rbc: 'erythroblast', erb: 'erythroblast',
};

/** A WBC type from a folder's or a label's name as another lab wrote it: `Neutrophil`, `neutrophils`,
 * `NEU`, `band`; `IG`; `NRBC`. Null for anything else (a `platelet` folder of PBC's, `smudge`). Case, spaces,
 * hyphens and a plural `s` do not matter. */
export function wbcTypeOf(name: string | undefined): WbcType | null {
  return aliasOf(TYPE_ALIASES, name);
}

export interface Differential {
  counts: Record<WbcType, number>;
  /** cells inside the 100% (all typed WBCs but erythroblasts) */
  total: number;
  /** % of `total` per type inside the differential (erythroblast: 0) */
  percent: Record<WbcType, number>;
  /** erythroblasts per 100 WBC (of `total`); null when total is 0 */
  nrbcPer100: number | null;
  /** typed cells, erythroblasts included */
  classified: number;
}

export function differential(types: readonly WbcType[]): Differential {
  const counts = Object.fromEntries(WBC_TYPES.map((t) => [t, 0])) as Record<WbcType, number>;
  for (const t of types) counts[t]++;
  const total = IN_DIFFERENTIAL.reduce((s, t) => s + counts[t], 0);
  const percent = Object.fromEntries(WBC_TYPES.map((t) => [t, t !== 'erythroblast' && total ? (100 * counts[t]) / total : 0])) as Record<WbcType, number>;
  return { counts, total, percent, nrbcPer100: total ? (100 * counts.erythroblast) / total : null, classified: types.length };
}

