import { describe, expect, it } from 'vitest';
import { INTAKE_KEY, IntakeJournal, lostInIntake } from './intakeJournal';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

describe('IntakeJournal', () => {
  it('keeps a drop on the list until it ends, and what a page left outlives it (the next page reads it)', () => {
    const storage = memoryStorage();
    const a = new IntakeJournal(storage);
    a.begin(['a.jpg', 'b.tif', 'c.png']);
    a.end(['a.jpg']);
    // the page goes: a new page on the same storage reads what was never saved
    expect(new IntakeJournal(storage).pending()).toEqual(['b.tif', 'c.png']);
    a.end(['b.tif', 'c.png']);
    expect(storage.m.has(INTAKE_KEY)).toBe(false);
  });

  it('a name dropped twice, the second drop still being read, stays until its own drop ends', () => {
    const j = new IntakeJournal(memoryStorage());
    j.begin(['field.jpg']);
    j.begin(['field.jpg', 'other.jpg']);
    j.end(['field.jpg']);
    expect(j.pending()).toEqual(['field.jpg', 'other.jpg']);
  });

  it('a damaged entry or a storage that refuses writes reads as an empty list, and the drop goes on', () => {
    const storage = memoryStorage();
    storage.setItem(INTAKE_KEY, '{not json');
    expect(new IntakeJournal(storage).pending()).toEqual([]);
    const full = { ...storage, setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
    expect(() => new IntakeJournal(full).begin(['a.jpg'])).not.toThrow();
  });
});

describe('lostInIntake', () => {
  it('names each file the restored batch holds neither as an image nor as a refused file, once, in drop order', () => {
    expect(lostInIntake(['1.jpg', '7-16bit.tif', '8.jpg', '8.jpg', 'empty.jpg'], { images: ['1.jpg'], refused: ['empty.jpg'] })).toEqual(['7-16bit.tif', '8.jpg']);
    expect(lostInIntake([], { images: [], refused: [] })).toEqual([]);
  });
  it("a file dropped from a Mac (NFD name) held by the batch under Windows' spelling (NFC) is not lost", () => {
    // before: "Blüte.jpg" was named as not taken in after a reload, though the batch held it
    expect(lostInIntake(['Blu\u0308te.jpg', 'da\u0301y/a.jpg'], { images: ['Bl\u00fcte.jpg'], refused: ['d\u00e1y/a.jpg'] })).toEqual([]);
    const j = new IntakeJournal(memoryStorage());
    j.begin(['Blu\u0308te.jpg']);
    j.end(['Bl\u00fcte.jpg']);
    expect(j.pending()).toEqual([]);
  });
  it('a field captured live is on the list as one, and leaves it as a file does', () => {
    // after a crash it was named with "drop it again": a live capture has no file
    const storage = memoryStorage();
    const j = new IntakeJournal(storage);
    j.begin(['a.jpg']);
    j.begin(['live-0002.jpg'], true);
    const next = new IntakeJournal(storage);
    expect(next.pending()).toEqual(['a.jpg', 'live-0002.jpg']);
    expect(next.captured()).toEqual(['live-0002.jpg']);
    next.end(['live-0002.jpg']);
    expect(next.pending()).toEqual(['a.jpg']);
    expect(next.captured()).toEqual([]);
    // a list written before live captures were marked reads as before
    storage.setItem(INTAKE_KEY, JSON.stringify(['b.jpg', 7, { name: 'c.jpg' }]));
    expect(new IntakeJournal(storage).pending()).toEqual(['b.jpg']);
  });
});
