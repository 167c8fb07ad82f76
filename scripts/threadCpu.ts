/**
 * CPU time per thread of a process tree, from /proc (Linux): how much of two cores a runtime used while
 * it ran, and on which threads. Distinguishes a second thread that works (or spins) from one that sleeps.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ThreadTicks {
  pid: number;
  tid: number;
  name: string;
  /** utime + stime, in clock ticks */
  ticks: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function stat(path: string): { name: string; ppid: number; ticks: number } | null {
  try {
    const s = readFileSync(path, 'utf8');
    const close = s.lastIndexOf(')');
    const name = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // fields after the name: state(0) ppid(1) ... utime(11) stime(12)
    return { name, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

export function processTree(root: number): number[] {
  if (!existsSync('/proc')) return [];
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(`/proc/${d}/stat`);
    if (s) parent.set(Number(d), s.ppid);
  }
  const out = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (out.includes(ppid) && !out.includes(pid)) {
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

export function threadTicks(pids: number[]): ThreadTicks[] {
  const out: ThreadTicks[] = [];
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const t of tids) {
      const s = stat(`/proc/${pid}/task/${t}/stat`);
      if (s) out.push({ pid, tid: Number(t), name: s.name, ticks: s.ticks });
    }
  }
  return out;
}

/** CPU ms per thread between two snapshots, busiest first (threads under 1 tick left out). */
export function cpuDelta(before: ThreadTicks[], after: ThreadTicks[]): { name: string; tid: number; ms: number }[] {
  const b = new Map(before.map((t) => [t.tid, t.ticks]));
  return after
    .map((t) => ({ name: t.name, tid: t.tid, ms: (t.ticks - (b.get(t.tid) ?? 0)) * TICK_MS }))
    .filter((t) => t.ms > 0)
    .sort((x, y) => y.ms - x.ms);
}
