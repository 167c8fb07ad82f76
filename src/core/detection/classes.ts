/** The three cell classes, in the model's label order (label = index + 1; 0 is background). */
export const CLASS_NAMES = ['RBC', 'WBC', 'Platelets'] as const;
export type CellClass = (typeof CLASS_NAMES)[number];

export function classOfLabel(label: number): CellClass | undefined {
  return CLASS_NAMES[label - 1];
}

export function isCellClass(x: unknown): x is CellClass {
  return typeof x === 'string' && (CLASS_NAMES as readonly string[]).includes(x);
}

export type PerClass<T> = Record<CellClass, T>;

export function perClass<T>(f: (c: CellClass) => T): PerClass<T> {
  return { RBC: f('RBC'), WBC: f('WBC'), Platelets: f('Platelets') };
}
