import { describe, expect, it } from 'vitest';
import { takeLaunch, watchLaunchFiles, type LaunchParams } from './launchFiles';

const handle = (name: string, fail = false) => ({
  kind: 'file',
  name,
  getFile: async () => {
    if (fail) throw new DOMException('gone', 'NotFoundError');
    return new File([new Uint8Array([0xff, 0xd8])], name, { type: 'image/jpeg' });
  },
});

function deps(owns: boolean) {
  let own!: () => void;
  const owned = new Promise<void>((r) => (own = r));
  if (owns) own();
  const added: string[][] = [];
  const notices: string[] = [];
  return {
    own,
    added,
    notices,
    d: { owned, ownsNow: () => owns, addFiles: (f: File[]) => void added.push(f.map((x) => x.name)), notify: (k: string, m: string) => void notices.push(`${k}: ${m}`) },
  };
}

describe('launchFiles: images the operating system opens the installed app with', () => {
  it('adds the launched files to the batch, as a drop does', async () => {
    const t = deps(true);
    await takeLaunch({ files: [handle('a.jpg'), handle('b.jpg'), { kind: 'directory', name: 'folder' }] }, t.d);
    expect(t.added).toEqual([['a.jpg', 'b.jpg']]);
    expect(t.notices).toEqual([]);
  });

  it('a window without the batch keeps them until it has it, and says so', async () => {
    const t = deps(false);
    const done = takeLaunch({ files: [handle('a.jpg')] }, t.d);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.added).toEqual([]);
    expect(t.notices).toEqual(['info: 1 image opened from this device will be added once this window has the batch.']);
    t.own();
    await done;
    expect(t.added).toEqual([['a.jpg']]);
  });

  it('a file the browser cannot read is named; the others are added', async () => {
    const t = deps(true);
    await takeLaunch({ files: [handle('gone.jpg', true), handle('b.jpg')] }, t.d);
    expect(t.added).toEqual([['b.jpg']]);
    expect(t.notices).toHaveLength(1);
    expect(t.notices[0]).toMatch(/^error: 1 file opened from this device could not be read \(.*gone\.jpg.*\): open or drop it again\.$/);
  });

  it('a launch without files (the app opened from its icon) adds nothing', async () => {
    const t = deps(true);
    let consumer: ((p: LaunchParams) => unknown) | undefined;
    watchLaunchFiles({ setConsumer: (c) => (consumer = c) }, t.d);
    await consumer!({ files: [] });
    await consumer!({});
    expect(t.added).toEqual([]);
    expect(t.notices).toEqual([]);
    watchLaunchFiles(undefined, t.d); // a browser without the API
  });
});
