import { expect, test } from '@playwright/test';
import { basename } from 'node:path';
import { AppPage, releaseReport } from './app.po';
import { testingImages } from './data';

// This machine can be very loaded (training runs beside the tests): generous limits.
test.setTimeout(900_000);

/** Every store of this origin as text: each IndexedDB database's stores (keys and values, a picture as
 * "<Blob n bytes>"), localStorage, sessionStorage and Cache Storage's URLs. */
async function everyStore(page: import('@playwright/test').Page) {
  return page.evaluate(async () => {
    const show = (v: unknown): unknown => {
      if (v instanceof Blob) return `<Blob ${v.size} bytes>`;
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return `<bytes ${(v as ArrayBuffer).byteLength}>`;
      if (Array.isArray(v)) return v.map(show);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)]));
      return v;
    };
    const dbs: Record<string, Record<string, unknown[]>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((ok, no) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      dbs[name] = {};
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store);
        const [keys, values] = await Promise.all(
          [tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()].map((r) => new Promise<unknown[]>((ok, no) => ((r.onsuccess = () => ok(r.result as unknown[])), (r.onerror = () => no(r.error))))),
        );
        dbs[name][store] = keys.map((k, i) => [show(k), show(values[i])]);
      }
      db.close();
    }
    const cached: string[] = [];
    for (const c of await caches.keys()) for (const r of await (await caches.open(c)).keys()) cached.push(r.url);
    return { dbs, local: { ...localStorage }, session: { ...sessionStorage }, cached };
  });
}

// A data-protection officer's question: after Clear session, what of the last patient is left on a shared
// workstation? Nothing: no field of the sample record, no image's name, no picture, in any store, and nothing
// of it shows to the next user after a reload.
test('Clear session leaves no patient data, image name or picture in any store, and nothing of it after a reload', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  // a refused file, named on a notice and kept with the batch: on its own, it is a session to clear
  await page.getByTestId('file-input').setInputFiles([{ name: 'empty-field.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) }]);
  await expect(app.fileErrors().first()).toBeVisible();
  await expect(page.getByTestId('clear-session')).toBeEnabled();
  const files = testingImages(2);
  await app.drop(files);
  await app.waitReady(600_000);
  const patient = { id: 'S-PRIV-77', patient: 'Zelda Quornby', ward: 'Ward Nightingale', operator: 'OPQ', notes: 'note-about-Quornby' };
  await page.getByTestId('sample-id').fill(patient.id);
  await page.getByTestId('sample-patient').fill(patient.patient);
  await page.getByTestId('sample-ward').fill(patient.ward);
  await page.getByTestId('sample-operator').fill(patient.operator);
  await page.getByTestId('sample-notes').fill(patient.notes);
  // an image removed: kept, entry and picture, while Undo can bring it back
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('remove-image').click();
  await expect.poll(async () => (await app.images()).length).toBe(1);
  // a release
  await page.getByTestId('export-report').click();
  // the report's own fields offer no browser autofill of an earlier patient
  for (const f of ['report-sample', 'report-patient', 'report-ward', 'report-operator']) await expect(page.getByTestId(f)).toHaveAttribute('autocomplete', 'off');
  await page.getByTestId('report-verified-by').fill(patient.operator);
  await page.evaluate(() => (window.print = () => undefined));
  await releaseReport(page);
  await expect(page.getByTestId('report-verification')).toContainText(`Verified by ${patient.operator}`);
  await page.getByRole('button', { name: 'Close' }).click();
  await page.evaluate(() => window.__smearcount.flush());
  // the test reads the stores: before the clearing they hold the patient (the check below can see it)
  expect(JSON.stringify(await everyStore(page))).toContain(patient.patient);

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('clear-session').click();
  await expect(page.getByTestId('sample-id')).toHaveValue('');
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  await app.waitReady(600_000);

  const secrets = [...Object.values(patient), ...files.map((f) => basename(f)), 'empty-field'];
  const check = async (when: string) => {
    const stores = await everyStore(page);
    const text = JSON.stringify(stores);
    for (const s of secrets) expect(text, `${when}: ${s} in ${text}`).not.toContain(s);
    // no picture anywhere
    expect(text, `${when}: ${text}`).not.toMatch(/<Blob|<bytes/);
    // the batch keeps no image, entry or picture (its settings stay, in meta), the live view no field's
    // signature; the sample's store holds an empty record beside the lab's settings
    expect(stores.dbs.smearcount?.images, when).toEqual([]);
    expect(stores.dbs.smearcount?.blobs, when).toEqual([]);
    expect(stores.dbs['smearcount-live']?.signatures ?? [], when).toEqual([]);
    expect(JSON.stringify(stores.dbs.smearcount?.meta), when).toMatch(/"order":\[\]/);
    const sample = stores.dbs['smearcount-sample']?.sample ?? [];
    for (const [, v] of sample as [unknown, { sample: Record<string, unknown>; audit: unknown[] }][]) {
      expect(Object.values(v.sample).filter((x) => x !== '' && x !== null && x !== false), `${when}: the sample record`).toEqual([]);
      expect(v.audit, `${when}: the audit trail`).toEqual([]);
    }
  };
  await check('after Clear session');

  // the next user, after a reload: nothing of the last patient shows
  await page.reload();
  await app.waitReady(600_000);
  await check('after a reload');
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  for (const f of ['sample-id', 'sample-patient', 'sample-ward', 'sample-operator', 'sample-notes']) await expect(page.getByTestId(f)).toHaveValue('');
  const shown = await page.evaluate(() => document.title + '\n' + document.body.innerText);
  for (const s of secrets) expect(shown, s).not.toContain(s);
});

// IndexedDB that would not empty for Clear session: the technician was told nothing (the save left pending)
// while the last patient's batch stayed on the device, and a start that failed to finish the clearing dropped
// its marker, so the start after it restored the cleared batch.
test('a Clear session that IndexedDB refuses says so, and no later start brings the cleared batch back', async ({ page }) => {
  // a store's clear is refused while the test asks (the flag outlives reloads)
  await page.addInitScript(() => {
    const clear = IDBObjectStore.prototype.clear;
    IDBObjectStore.prototype.clear = function (this: IDBObjectStore) {
      if (localStorage.getItem('test.refuseClear')) throw new DOMException('refused by the test', 'UnknownError');
      return clear.call(this);
    };
  });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('sample-patient').fill('Zelda Quornby');
  await page.evaluate(() => window.__smearcount.flush());
  await page.evaluate(() => localStorage.setItem('test.refuseClear', '1'));
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('clear-session').click();
  const notCleared = "The last sample's batch was not removed from this device (UnknownError: refused by the test)";
  await expect(page.getByTestId('notices')).toContainText(notCleared);
  // a start that cannot finish the clearing either says so again
  await page.reload();
  await expect(page.getByTestId('notices')).toContainText(notCleared);
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  // once IndexedDB empties again, the next start finishes the clearing: nothing of the sample comes back
  await page.evaluate(() => localStorage.removeItem('test.refuseClear'));
  await page.reload();
  await app.waitReady(600_000);
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  expect(await app.images()).toEqual([]);
  await expect(page.getByTestId('sample-patient')).toHaveValue('');
  await expect(page.getByTestId('notices')).not.toContainText(notCleared);
});
