import { describe, expect, it } from 'vitest';
import { fieldCountWords, fieldsWords, reachedWords, saidWords, savedFieldWords } from './liveWords';

describe("live mode's figures, in the browser's locale", () => {
  it("the field's counts, the fields and the target grouped as the lab writes them", () => {
    // before: "this field: 1363 RBC" under a German browser, beside the counts panel's "1.363"
    expect(fieldCountWords(false, { RBC: 1363, WBC: 2, Platelets: 41 }, 'de-DE')).toBe('this field: 1.363 RBC, 2 WBC, 41 PLT');
    expect(fieldCountWords(true, { RBC: 1363, WBC: 2, Platelets: 41 }, 'fr-FR')).toBe('last field: 1\u202f363 RBC, 2 WBC, 41 PLT');
    expect(fieldsWords(1200, 3, 'de-DE')).toBe('1.200 live fields (3 this run)');
    expect(fieldsWords(1, 1, 'de-DE')).toBe('1 live field');
    expect(reachedWords(1000, 'de-DE')).toBe('Target reached: 1.000 WBCs. Capturing has stopped; verify the cells in the gallery.');
    expect(saidWords('Hold still…', 950, 1000, fieldsWords(12, 12, 'de-DE'), 'de-DE')).toBe('Hold still… 950 of 1.000 WBC, 12 live fields.');
    expect(saidWords('Moving', 5, 100, '2 live fields')).toBe('Moving. 5 of 100 WBC, 2 live fields.');
  });

  it("the captured field's counts are named by its image, and said not counted where a flag leaves it out", () => {
    expect(savedFieldWords('live-0003.jpg', { RBC: 1363, WBC: 2, Platelets: 41 }, true, 'de-DE')).toBe('live-0003.jpg: 1.363 RBC, 2 WBC, 41 PLT');
    expect(savedFieldWords('live-0004.jpg', { RBC: 20, WBC: 0, Platelets: 3 }, false)).toBe('live-0004.jpg, not counted: 20 RBC, 0 WBC, 3 PLT');
  });
});
