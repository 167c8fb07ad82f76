/** The three cell classes, in the model's label order (label = index + 1; 0 is background). */
export const CLASS_NAMES = ['RBC', 'WBC', 'Platelets'] as const;
export type CellClass = (typeof CLASS_NAMES)[number];

export function classOfLabel(label: number): CellClass | undefined {
  return CLASS_NAMES[label - 1];
}

export function isCellClass(x: unknown): x is CellClass {
  return typeof x === 'string' && (CLASS_NAMES as readonly string[]).includes(x);
}

const CLASS_ALIASES: Record<string, CellClass> = {
  rbc: 'RBC', erythrocyte: 'RBC', red_blood_cell: 'RBC', red_cell: 'RBC',
  wbc: 'WBC', leukocyte: 'WBC', leucocyte: 'WBC', white_blood_cell: 'WBC', white_cell: 'WBC',
  platelet: 'Platelets', plt: 'Platelets', thrombocyte: 'Platelets',
};

/** A cell class from the name another lab's labelling tool wrote: `RBC`, `rbc`, `RBCs`, `Erythrocyte`,
 * `red blood cells`; `Platelet`, `PLT`, `thrombocytes`; `WBC`, `leukocyte`. Null for anything else (a WBC
 * named by its type is `wbcTypeOf`'s). Case, spaces, hyphens and a plural `s` do not matter. */
export function cellClassOf(name: string | undefined): CellClass | null {
  return aliasOf(CLASS_ALIASES, name);
}

/** A name looked up in an alias table as people write it: case, spaces, hyphens and a plural `s` do not
 * matter (`Red-Blood Cells` → `red_blood_cell`). Null for a name the table does not hold. */
export function aliasOf<T>(table: Readonly<Record<string, T>>, name: string | undefined): T | null {
  if (!name) return null;
  const k = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return table[k] ?? table[k.replace(/s$/, '')] ?? null;
}

export type PerClass<T> = Record<CellClass, T>;

export function perClass<T>(f: (c: CellClass) => T): PerClass<T> {
  return { RBC: f('RBC'), WBC: f('WBC'), Platelets: f('Platelets') };
}
