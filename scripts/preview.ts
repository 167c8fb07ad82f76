/** The built app served by `vite preview` on a local port, for scripts that drive it in Chromium. */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './dataRoot';

/** `outDir`: another build than dist/ (a kept "before" build, for a before/after in one sitting). */
export async function startPreview(port: number, outDir?: string): Promise<{ base: string; stop(): void }> {
  const base = `http://127.0.0.1:${port}`;
  // A server left on the port (a killed run's: it has its own process group) would be measured instead of
  // this build, silently: --strictPort only makes the new one exit.
  if (await fetch(base).then(() => true, () => false)) throw new Error(`port ${port} is already served; stop that server or pass another port`);
  // Its own process group, so that stopping it also stops the vite process npx starts.
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1', ...(outDir ? ['--outDir', outDir] : [])], { cwd: REPO_ROOT, stdio: 'ignore', detached: true });
  const stop = () => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      /* not up yet */
    }
    // A minute: npx and vite start slowly on a busy machine.
    if (i > 300) {
      stop();
      throw new Error('vite preview did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, stop };
}
