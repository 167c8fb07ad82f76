/** An image's counts as its row in the image list shows them ("RBC 1.363" in a German lab, "RBC 1 363" in a French
 * one, with a no-break space that keeps the count whole), grouped as the counts panel and the phone's bar do. */
import { plain } from '../core/formats/numbers';

export const countItems = (c: { RBC: number; WBC: number; Platelets: number }, locale?: string): string[] => [
  `RBC ${plain(c.RBC, locale)}`,
  `WBC ${plain(c.WBC, locale)}`,
  `PLT ${plain(c.Platelets, locale)}`,
];

/** The counts panel's line where WBC boxes were typed NRBC: the boxes stay in the WBC figures drawn and counted
 * here, and the report (its WBC count, ratio and estimate) and the panel's WBC estimate leave them out. */
export const nrbcPanelWords = (n: number, locale?: string): string =>
  `${plain(n, locale)} WBC box${n === 1 ? '' : 'es'} typed NRBC (nucleated red cells): in the WBC figures above, left out of the WBC estimate and of the report's WBC count, as an analyser's corrected WBC`;
