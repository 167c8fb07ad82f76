import { describe, expect, it } from 'vitest';
import { adaptedHow, cellsWords, fittedWords, resetQuestion } from './profileWords';

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
  it("Reset's question says what is lost, in the lab's figures, and that it cannot be undone", () => {
    expect(resetQuestion('Olympus CX23', 1204, 'de-DE')).toBe(
      'Reset the microscope profile "Olympus CX23"? This device forgets the 1.204 verified cells it learnt from, and the WBC types go back to the model\'s own. This cannot be undone: export the profile first to keep them.',
    );
    expect(resetQuestion('Bench 2', 1, 'en-US')).toContain('forgets the 1 verified cell it learnt from');
  });
});
