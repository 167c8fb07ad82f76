import { describe, expect, it } from 'vitest';
import { countItems, nrbcPanelWords } from './countItems';

describe("the image list's counts, in the browser's locale", () => {
  it('are grouped as the counts panel groups them, a French count kept whole by its no-break space', () => {
    // before: "RBC 1363" in the image list beside the counts panel's "1.363"
    expect(countItems({ RBC: 1363, WBC: 2, Platelets: 41 }, 'de-DE')).toEqual(['RBC 1.363', 'WBC 2', 'PLT 41']);
    expect(countItems({ RBC: 1363, WBC: 2, Platelets: 41 }, 'fr-FR')).toEqual(['RBC 1\u202f363', 'WBC 2', 'PLT 41']);
    expect(countItems({ RBC: 1363, WBC: 2, Platelets: 41 }, 'en-US')).toEqual(['RBC 1,363', 'WBC 2', 'PLT 41']);
  });
});

describe("the counts panel's NRBC line", () => {
  it('says where the boxes typed NRBC are counted, in the browser locale', () => {
    expect(nrbcPanelWords(1, 'en-US')).toMatch(/^1 WBC box typed NRBC .*in the WBC figures above, left out of the WBC estimate and of the report's WBC count/);
    expect(nrbcPanelWords(1200, 'de-DE')).toMatch(/^1\.200 WBC boxes typed NRBC/);
  });
});
