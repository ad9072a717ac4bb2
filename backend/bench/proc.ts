import { readdirSync, readFileSync } from "node:fs";

/*
 * Linux /proc readings: memory and CPU time of the server (its primary and,
 * with WEB_CONCURRENCY, its workers), of PostgreSQL's processes, and of the
 * machine. Elsewhere every reading is null and the report says "n/a".
 */

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every mainstream Linux). */
const TICKS_PER_SECOND = 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM). */
export function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  const text = read(`/proc/${pid}/status`);
  const match = text ? new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text) : null;
  return match ? Number(match[1]) : null;
}

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  /** user + system CPU seconds. */
  cpuSeconds: number;
  /** system (kernel) CPU seconds alone. */
  systemSeconds: number;
}

function stat(pid: number): Stat | null {
  const text = read(`/proc/${pid}/stat`);
  if (!text) return null;
  // comm is in parentheses and may itself contain spaces or parentheses.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    systemSeconds: stime / TICKS_PER_SECOND,
  };
}

function allStats(): Stat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: Stat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s) stats.push(s);
  }
  return stats;
}

/** `pid` and its descendants (the cluster primary and its workers). */
export function processTree(pid: number): number[] {
  const stats = allStats();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const s of stats) if (s.ppid === tree[i]) tree.push(s.pid);
  }
  return tree;
}

/** Summed CPU seconds (all, and in the kernel) of these processes (those that still exist). */
export function cpuSeconds(pids: number[]): { total: number; system: number } {
  let total = 0;
  let system = 0;
  for (const pid of pids) {
    const s = stat(pid);
    total += s?.cpuSeconds ?? 0;
    system += s?.systemSeconds ?? 0;
  }
  return { total, system };
}

/** CPU seconds of every process named postgres (the server and its backends). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const s of allStats()) if (s.comm === "postgres" || s.comm.startsWith("postgres:")) total += s.cpuSeconds;
  return total;
}

/** Busy and total CPU seconds of the whole machine, summed over all CPUs. */
export function machineCpu(): { busy: number; total: number } | null {
  const line = read("/proc/stat")?.split("\n")[0];
  if (!line?.startsWith("cpu ")) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

export const procAvailable = (): boolean => read("/proc/self/status") !== null;

/** Waits until the machine's busy share of all cores over a 3-second window is below `percent`; false after `timeoutMs`. */
export async function waitForQuiet(percent: number, timeoutMs: number): Promise<{ quiet: boolean; busy: number }> {
  const deadline = Date.now() + timeoutMs;
  let busy = 100;
  while (Date.now() < deadline) {
    const a = machineCpu();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const b = machineCpu();
    if (!a || !b) return { quiet: true, busy: 0 };
    busy = ((b.busy - a.busy) / Math.max(1e-9, b.total - a.total)) * 100;
    if (busy < percent) return { quiet: true, busy };
  }
  return { quiet: false, busy };
}
