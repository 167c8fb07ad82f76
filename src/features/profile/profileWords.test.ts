import { describe, expect, it } from 'vitest';
import { adaptedHow, cellsWords, fittedWords } from './profileWords';

describe("the microscope profile's figures, in the browser's locale", () => {
  it('the blend weight with the decimal sign of the lab, the cells and the fit time grouped', () => {
    // before: "blend weight 0.75" and "1204 verified cells" under a German browser
    expect(adaptedHow(0.75, false, 'de-DE')).toBe(' (blend weight 0,75).');
    expect(adaptedHow(1, true, 'fr-FR')).toBe(" (the model's lean towards some types corrected; blend weight 1,00: the verified types are read by what it learnt here).");
    expect(adaptedHow(0, false, 'de-DE')).toBe('.');
    expect(adaptedHow(0.75, false, 'en-US')).toBe(' (blend weight 0.75).');
    expect(cellsWords(1204, 'de-DE')).toBe('1.204 verified cells');
    expect(cellsWords(1, 'de-DE')).toBe('1 verified cell');
    expect(fittedWords(1234.6, 'de-DE')).toBe(' · fitted in 1.235 ms');
    expect(fittedWords(null, 'de-DE')).toBe('');
  });
});
