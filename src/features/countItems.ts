/** An image's counts as its row in the image list shows them ("RBC 1.363" in a German lab, "RBC 1 363" in a French
 * one, with a no-break space that keeps the count whole), grouped as the counts panel and the phone's bar do. */
import { plain } from '../core/formats/numbers';

export const countItems = (c: { RBC: number; WBC: number; Platelets: number }, locale?: string): string[] => [
  `RBC ${plain(c.RBC, locale)}`,
  `WBC ${plain(c.WBC, locale)}`,
  `PLT ${plain(c.Platelets, locale)}`,
];
