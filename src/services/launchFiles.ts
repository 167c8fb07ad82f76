/**
 * The installed app opens images from the operating system ("Open with Smearcount", a double-click on a JPEG):
 * the manifest's file_handlers (vite.config.ts) name the types, and the browser hands the files to the page
 * through window.launchQueue. With the manifest's launch_handler `focus-existing` they come to the open window
 * of the app, which adds them to its batch as a drop does. A window that does not own the batch (windowLock.ts)
 * keeps them until it does, and says so; a file the browser cannot read is named.
 */
import { isolateName } from '../core/bidi';

/** The parts of the File Handling API used here (not in TypeScript's DOM types yet). */
export interface LaunchParams {
  files?: readonly { kind: string; name: string; getFile?: () => Promise<File> }[];
}
export interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => unknown): void;
}

export interface LaunchDeps {
  /** Resolves when this window owns the batch and has restored it (a file added before the restore was lost). */
  owned: Promise<void>;
  ownsNow(): boolean;
  addFiles(files: File[]): Promise<void> | void;
  notify(kind: 'info' | 'error', message: string): void;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Reads the files of one launch and adds them to the batch once this window owns it. */
export async function takeLaunch(params: LaunchParams, deps: LaunchDeps): Promise<void> {
  const handles = (params.files ?? []).filter((h) => h.kind === 'file');
  if (!handles.length) return;
  const files: File[] = [];
  const unread: string[] = [];
  for (const h of handles) {
    try {
      files.push(await h.getFile!());
    } catch {
      unread.push(h.name);
    }
  }
  if (unread.length)
    deps.notify('error', `${plural(unread.length, 'file')} opened from this device could not be read (${unread.slice(0, 3).map(isolateName).join(', ')}${unread.length > 3 ? ', …' : ''}): open or drop ${unread.length === 1 ? 'it' : 'them'} again.`);
  if (!files.length) return;
  if (!deps.ownsNow()) deps.notify('info', `${plural(files.length, 'image')} opened from this device will be added once this window has the batch.`);
  await deps.owned;
  await deps.addFiles(files);
}

/** Takes the files the operating system opens the installed app with (a browser without the API: nothing). */
export function watchLaunchFiles(queue: LaunchQueue | undefined, deps: LaunchDeps) {
  queue?.setConsumer((params) => takeLaunch(params, deps));
}
