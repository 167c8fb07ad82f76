/**
 * Learning the microscope, on the device: the technician's verified cells (their classifier embeddings and
 * types) go into the microscope profile, a head is fitted on them (core/adapt), and every image's type
 * probabilities are blended with it. The profile (cells, scale override, count rule) lives in IndexedDB
 * beside the batch, survives "Clear session" (it describes the microscope, not the sample), and is exported
 * and imported as JSON so a lab's workstations share it. Nothing leaves the device.
 */
import { adaptedProbs, adapts, fitHead, type Head } from '../core/adapt/adapt';
import { anonymousCell, cellKey, emptyProfile, MAX_PROFILE_BYTES, MAX_PROFILE_CELLS, parseProfile, profileJson, storedSettings, type ClassifierIdentity, type MicroscopeProfile, type ProfileCell } from '../core/adapt/profile';
import type { ClassifierCard } from '../core/differential/card';
import { WBC_TYPES } from '../core/differential/differential';
import { reviewedDetections } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { ImageEntry } from '../store/types';
import { KeyedDb } from './idb';
import { AppError } from '../core/errors';
import { browserLocale, fixed } from '../core/formats/numbers';

const DB = 'smearcount-profile';
const STORE = 'profile';
const argmax = (p: readonly number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);
const KEY = 'current';
/** localStorage key of the profile's settings (scale, count rule) as last set, written synchronously at each change
 * and dropped once a save holding them has committed: the profile's IndexedDB write, started at the change, did
 * not commit when the page reloaded at once, and the restored profile put the previous count rule back over the
 * batch's (a rule set and a reload at once came back as "every visible cell"). */
export const PROFILE_SETTINGS_KEY = 'smearcount-profile-settings';
type SettingsCopy = Pick<MicroscopeProfile, 'fixedScale' | 'countRule'>;

function readSettingsCopy(): Partial<SettingsCopy> | null {
  try {
    const v: unknown = typeof localStorage === 'undefined' ? null : JSON.parse(localStorage.getItem(PROFILE_SETTINGS_KEY) ?? 'null');
    return v && typeof v === 'object' ? (v as Partial<SettingsCopy>) : null;
  } catch {
    return null;
  }
}

/** Whether a box is still a verified WBC by the image's edits, shown or not (a threshold or NMS may hide
 * it): verified, not deleted, not put in a manual category, a WBC still. */
function stillVerified(im: ImageEntry | undefined, id: string): boolean {
  const e = im?.edits;
  if (!e?.verified?.includes(id) || e.deleted.includes(id) || e.excluded?.[id]) return false;
  return (e.relabeled[id] ?? im!.raw?.find((d) => d.id === id)?.cls ?? e.added.find((d) => d.id === id)?.cls) === 'WBC';
}

interface Stored {
  profile: MicroscopeProfile;
  /** Cells of the batch on screen left out after a reset (they were verified before it), by embedding key and
   * the type they had then ("key:type"; a bare key, as saved before, whatever the type). */
  ignored: string[];
}

export class ProfileService {
  private profile: MicroscopeProfile;
  private ignored = new Set<string>();
  /** Cells seen verified since the page opened: embedding key → the image and box they are. Kept in memory
   * only (the stored profile names no image), and forgotten with the batch. */
  private seen = new Map<string, { imageId: string; detId: string }>();
  private db = new KeyedDb(DB, STORE);
  private signature = '';
  private adaptedWith = new Map<string, { head: Head | null; wbc: ImageEntry['wbc'] }>();
  private timer?: ReturnType<typeof setTimeout>;
  private id: ClassifierIdentity;
  /** Bumped at each write of the settings' copy: a committed save drops it only if it holds the settings copied. */
  private settingsSeq = 0;

  constructor(
    private store: AppStore,
    classifier: ClassifierCard,
  ) {
    this.id = { name: classifier.name, sha256: classifier.sha256, dim: classifier.embedding!.dim };
    this.profile = emptyProfile(this.id, store.getState().postprocess.countRule);
    store.getState().setAdaptation({ name: this.profile.name, loaded: false });
  }

  current(): MicroscopeProfile {
    return this.profile;
  }

  /** Loads the stored profile (if it was made for this classifier), applies its settings and starts learning. */
  async start() {
    try {
      await this.load();
    } finally {
      // the adaptation line the report prints is the microscope's from here on (a release checks it from now)
      this.store.getState().setAdaptation({ loaded: true });
    }
  }

  private async load() {
    // the settings as the technician last set them, newer than any stored profile's (see PROFILE_SETTINGS_KEY)
    const copy = readSettingsCopy();
    // no stored profile (a new device, no IndexedDB): the settings in force are this profile's, not the
    // defaults it was made with before the page's batch was restored (an export, or any later save, wrote
    // those over a rule set while the page started)
    const adopt = () => {
      if (copy) {
        this.profile = { ...this.profile, ...this.storedSettings({ ...this.profile, ...copy }), updated: new Date().toISOString() };
        this.store.getState().fromStorage(() => this.applySettings());
        this.save();
        return;
      }
      const s = this.store.getState();
      if (s.fixedScale === this.profile.fixedScale && s.postprocess.countRule === this.profile.countRule) return;
      this.profile = { ...this.profile, fixedScale: s.fixedScale, countRule: s.postprocess.countRule, updated: new Date().toISOString() };
      this.save();
    };
    try {
      const v = await this.db.get<Stored>(KEY);
      if (!v?.profile) adopt();
      if (v?.profile && v.profile.classifier?.sha256 === this.id.sha256 && v.profile.classifier.embeddingDim === this.id.dim) {
        // keys from the embedding only: a profile saved by an older version named images and cells
        const cells = v.profile.cells.map(anonymousCell);
        const old = cells.some((c, i) => c.key !== v.profile.cells[i].key);
        const settings = this.storedSettings(copy ? { ...v.profile, ...copy } : v.profile);
        this.profile = { ...v.profile, cells, ...settings };
        this.ignored = new Set((v.ignored ?? []).filter((k) => !k.includes('/')));
        if (old || copy || settings.fixedScale !== v.profile.fixedScale || settings.countRule !== v.profile.countRule) this.save();
        // the stored profile's settings, not the user's: a change the user made while the batch was restored wins
        this.store.getState().fromStorage(() => this.applySettings());
      } else if (v?.profile) {
        // Made for another classifier (an update of the app): its cells are that classifier's features and
        // cannot teach this one, but the microscope's scale and count rule still hold. The settings carry
        // over, the old profile is kept aside (a rollback finds it), and the technician is told.
        const was = v.profile;
        await this.db.put(`previous-${was.classifier?.sha256 ?? 'unknown'}`, v);
        this.profile = { ...emptyProfile(this.id), name: was.name, ...this.storedSettings(copy ? { ...was, ...copy } : was) };
        this.save();
        // the stored profile's settings, not the user's: a change the user made while the batch was restored wins
        this.store.getState().fromStorage(() => this.applySettings());
        if (was.cells?.length) {
          this.store.getState().notify({
            kind: 'info',
            source: 'profile',
            subject: '',
            message: `The WBC classifier was updated: the ${was.cells.length} verified cells the microscope profile${was.name ? ` "${was.name}"` : ''} learnt from were read by the previous one and no longer adapt the types (kept aside, not deleted). Its scale and count rule still apply. Verified cells adapt the new classifier again.`,
          });
        }
      }
    } catch {
      // no IndexedDB (private mode): the profile lives for this page only
      adopt();
    }
    this.store.subscribe((s, p) => {
      if (s.fixedScale !== p.fixedScale || s.postprocess.countRule !== p.postprocess.countRule) {
        this.profile = { ...this.profile, fixedScale: s.fixedScale, countRule: s.postprocess.countRule, updated: new Date().toISOString() };
        this.copySettings();
        this.save();
      }
      if (s.images !== p.images || s.order !== p.order || s.postprocess !== p.postprocess) this.schedule();
    });
    this.refresh(true);
  }

  /** A stored profile's settings where this app sets such values; a notice names any left out. */
  private storedSettings(p: MicroscopeProfile): Pick<MicroscopeProfile, 'fixedScale' | 'countRule'> {
    const { fixedScale, countRule, refused } = storedSettings(p);
    if (refused.length)
      this.store.getState().notify({ kind: 'warning', source: 'profile', subject: '', message: `The microscope profile${p.name ? ` "${p.name}"` : ''} held settings this app does not set, not applied: ${refused.join('; ')}.` });
    return { fixedScale, countRule: countRule ?? this.store.getState().postprocess.countRule };
  }

  private schedule() {
    if (this.timer !== undefined) return;
    // verifying a group is many store changes in one go: learn once they are done
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh(false);
    }, 150);
  }

  private applySettings() {
    if (this.store.getState().adaptation.name !== this.profile.name) this.store.getState().setAdaptation({ name: this.profile.name });
    // Both read first: once watching, setting the scale folds the store's count rule (still the old one)
    // into this.profile, and an imported profile's count rule was lost whenever its scale differed.
    const { fixedScale, countRule } = this.profile;
    if (this.store.getState().fixedScale !== fixedScale) this.store.getState().setFixedScale(fixedScale);
    if (this.store.getState().postprocess.countRule !== countRule) this.store.getState().setCountRule(countRule);
  }

  /** This batch's verified cells with an embedding, by embedding key, with the image each is on. */
  private sessionCells(): Map<string, ProfileCell & { imageId: string; detId: string }> {
    const s = this.store.getState();
    const out = new Map<string, ProfileCell & { imageId: string; detId: string }>();
    for (const id of s.order) {
      const im = s.images[id];
      if (im.status !== 'done' || !im.emb) continue;
      for (const d of reviewedDetections(im, s.postprocess)) {
        const e = im.emb[d.id];
        if (!(d.cls === 'WBC' && d.wbc?.verified && !d.wbc.category && e && e.length === this.id.dim)) continue;
        const key = cellKey(e);
        if (this.ignored.has(key) || this.ignored.has(`${key}:${d.wbc.type}`)) continue;
        const p = im.wbc?.[d.id];
        out.set(key, { key, type: d.wbc.type, e, ...(p ? { modelRight: WBC_TYPES[argmax(p)] === d.wbc.type, p } : {}), imageId: id, detId: d.id });
      }
    }
    return out;
  }

  /** A cell left out at a reset (or an import) is learnt again once verified again: un-verified (or put among
   * smudge / other) since, it is no longer left out; given another type, it is not the cell that was (its
   * "key:type" no longer matches). It was left out for good, and a type corrected after a reset never taught
   * the profile. */
  private releaseIgnored(): boolean {
    if (!this.ignored.size) return false;
    const s = this.store.getState();
    let changed = false;
    for (const id of s.order) {
      const im = s.images[id];
      if (im.status !== 'done' || !im.emb) continue;
      for (const d of reviewedDetections(im, s.postprocess)) {
        const e = im.emb[d.id];
        if (d.cls !== 'WBC' || !d.wbc || (d.wbc.verified && !d.wbc.category) || !e || e.length !== this.id.dim) continue;
        const key = cellKey(e);
        for (const k of this.ignored)
          if (k === key || k.startsWith(`${key}:`)) {
            this.ignored.delete(k);
            changed = true;
          }
      }
    }
    return changed;
  }

  /** Folds this batch's verified cells into the profile, refits the head when they changed, and writes the
   * adapted probabilities of images that need them. */
  private refresh(force: boolean) {
    if (this.releaseIgnored()) this.save();
    const s = this.store.getState();
    const inBatch = new Set(s.order);
    const session = this.sessionCells();
    for (const [k, c] of session) this.seen.set(k, { imageId: c.imageId, detId: c.detId });
    // A learnt cell of an image in the batch is dropped only when this page saw it verified and it no longer
    // is (un-verified or deleted). A reload can restore the batch from a save a moment older than the
    // profile's: a cell missing from it then is not a decision, and is kept. Nor is a cell a raised WBC
    // threshold (or NMS) hides: it is still verified, and it was forgotten (for good after Clear session).
    const gone = (key: string) => {
      const at = this.seen.get(key);
      return at !== undefined && inBatch.has(at.imageId) && !stillVerified(s.images[at.imageId], at.detId);
    };
    const kept = this.profile.cells.filter((c) => !session.has(c.key) && !gone(c.key));
    const cells = [...kept, ...[...session.values()].map(({ imageId: _, detId: __, ...c }) => c)].slice(-MAX_PROFILE_CELLS);
    const signature = cells.map((c) => `${c.key}:${c.type}`).join('|');
    let head = s.adaptation.head;
    if (force || signature !== this.signature) {
      this.signature = signature;
      if (cells.length !== this.profile.cells.length || signature !== this.profile.cells.map((c) => `${c.key}:${c.type}`).join('|')) {
        this.profile = { ...this.profile, cells, updated: new Date().toISOString() };
        this.save();
      }
      const t = performance.now();
      head = this.fit(cells);
      s.setAdaptation({ cells: cells.length, head, fitMs: head ? performance.now() - t : null });
    }
    this.writeAdapted(head);
  }

  private fit(cells: readonly ProfileCell[]): Head | null {
    // The model's own probabilities on each verified cell: the head is used only where the blend beats them
    // by cross-validation (core/adapt). A cell learnt before they were kept has only whether the model was
    // right: a sure guess stands in (its type when right, spread over the others when wrong).
    const k = WBC_TYPES.length;
    const priors = cells.map((c) => {
      if (c.p?.length === k) return c.p;
      const t = WBC_TYPES.indexOf(c.type);
      return WBC_TYPES.map((_, i) => (c.modelRight ? (i === t ? 1 : 0) : i === t ? 0 : 1 / (k - 1)));
    });
    return fitHead(
      cells.map((c) => c.e),
      cells.map((c) => WBC_TYPES.indexOf(c.type)),
      k,
      {},
      priors,
    );
  }

  private writeAdapted(head: Head | null) {
    const s = this.store.getState();
    let changed = false;
    const images = { ...s.images };
    for (const id of s.order) {
      const im = s.images[id];
      if (im.status !== 'done' || !im.wbc) continue;
      const last = this.adaptedWith.get(id);
      if (last && last.head === head && last.wbc === im.wbc) continue;
      this.adaptedWith.set(id, { head, wbc: im.wbc });
      let adapted: Record<string, number[]> | undefined;
      if (adapts(head) && im.emb) {
        adapted = {};
        for (const [det, p] of Object.entries(im.wbc)) {
          const e = im.emb[det];
          if (e) adapted[det] = adaptedProbs(head, p, e);
        }
      }
      if (adapted || im.adapted) {
        images[id] = { ...im, adapted };
        changed = true;
      }
    }
    if (changed) this.store.setState({ images });
  }

  /** The settings, synchronously (see PROFILE_SETTINGS_KEY). */
  private copySettings() {
    try {
      localStorage.setItem(PROFILE_SETTINGS_KEY, JSON.stringify({ fixedScale: this.profile.fixedScale, countRule: this.profile.countRule }));
      this.settingsSeq++;
    } catch {
      // no storage, or full: the IndexedDB save is still tried
    }
  }

  private save() {
    const stored: Stored = { profile: this.profile, ignored: [...this.ignored] };
    const seq = this.settingsSeq;
    void this.db
      .put(KEY, stored)
      .then(() => {
        // IndexedDB holds the settings copied, unless they changed again since this save began
        if (seq !== this.settingsSeq) return;
        try {
          if (typeof localStorage !== 'undefined') localStorage.removeItem(PROFILE_SETTINGS_KEY);
        } catch {
          // storage refused: the copy stays, never older than what IndexedDB holds
        }
      })
      .catch((e: unknown) => this.store.getState().notify({ kind: 'error', source: 'profile', subject: '', message: `The microscope profile was not saved (${(e as Error).message}).` }));
  }

  /** Forgets every learnt cell (this batch's verified ones too, until they are verified again). */
  reset() {
    for (const c of this.sessionCells().values()) this.ignored.add(`${c.key}:${c.type}`);
    this.profile = { ...this.profile, cells: [], updated: new Date().toISOString() };
    this.signature = '';
    this.save();
    this.refresh(true);
  }

  /** Clear session: nothing of the batch that goes stays, not even in memory (which images its cells were
   * on, which of them a reset left out). The learnt cells stay: they describe the microscope. */
  forgetBatch() {
    this.seen.clear();
    this.adaptedWith.clear();
    if (this.ignored.size) {
      this.ignored.clear();
      this.save();
    }
  }

  setName(name: string) {
    this.profile = { ...this.profile, name: name.slice(0, 200) };
    this.store.getState().setAdaptation({ name: this.profile.name });
    this.save();
  }

  exportJson(): string {
    return profileJson(this.profile);
  }

  /** Replaces the profile with a file's, after validating it; a bad file throws an AppError ('profile') and changes nothing.
   * Over a profile that has learnt cells, `replace` is asked first (one workstation, another microscope's
   * file: this one's cells were gone without a word); null where it says no, and nothing changes. */
  async importFile(file: Blob, replace: (current: MicroscopeProfile, next: MicroscopeProfile) => boolean = () => true): Promise<MicroscopeProfile | null> {
    if (file.size > MAX_PROFILE_BYTES) throw new AppError('profile', `the file is too large for a microscope profile (${fixed(file.size / 1e6, 1, browserLocale())} MB)`);
    const p = parseProfile(await file.text(), this.id);
    if (this.profile.cells.length && !replace(this.profile, p)) return null;
    this.profile = p;
    this.ignored = new Set([...this.sessionCells().values()].map((c) => `${c.key}:${c.type}`));
    this.signature = '';
    this.applySettings();
    this.save();
    this.refresh(true);
    return p;
  }

  /** Fit time for n cells (the batch's embeddings, cycled), median of 5 runs: the in-browser figure. */
  timeFit(n: number): { ms: number; cells: number } | null {
    const s = this.store.getState();
    const pool: ProfileCell[] = [];
    for (const id of s.order) {
      const im = s.images[id];
      for (const [det, e] of Object.entries(im.emb ?? {})) {
        const p = im.wbc?.[det];
        if (p) pool.push({ key: det, type: WBC_TYPES[argmax(p)], e });
      }
    }
    if (!pool.length) return null;
    const cells = Array.from({ length: n }, (_, i) => pool[i % pool.length]);
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      fitHead(cells.map((c) => c.e), cells.map((c) => WBC_TYPES.indexOf(c.type)), WBC_TYPES.length);
      times.push(performance.now() - t);
    }
    return { ms: times.sort((a, b) => a - b)[2], cells: n };
  }
}
