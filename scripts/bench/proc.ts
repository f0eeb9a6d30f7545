import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** Epoch ms. */
  t: number;
  /** user + system CPU seconds of the process since it started. */
  cpuSec: number;
  rssMb: number;
}

/** One reading of /proc/<pid>/stat (utime + stime) and /proc/<pid>/status (VmRSS); null once the process is gone. */
export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { t: Date.now(), cpuSec: (utime + stime) / CLK_TCK, rssMb: rssKb / 1024 };
  } catch {
    return null;
  }
}

/** Whole-machine CPU busy fraction between two readings of /proc/stat (shows contention on a small machine). */
export function readMachineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Samples a process every `everyMs` until stopped; keeps every sample for charts and steady-period averages. */
export class ProcSampler {
  readonly samples: ProcSample[] = [];
  readonly machine: Array<{ t: number; busyCores: number }> = [];
  /** Cumulative CPU seconds of other processes (the dev server, Postgres, this process), sampled with the worker. */
  readonly others: Array<{ t: number; cpuSec: Record<string, number> }> = [];
  private readonly otherSources: Record<string, () => number> = {};
  private timer: NodeJS.Timeout | null = null;
  private lastMachine = readMachineCpu();
  private readonly cores: number;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 1000,
    cores = 2,
  ) {
    this.cores = cores;
  }

  /** Also samples `cpuSec()` (cumulative CPU seconds) under `name`. */
  track(name: string, cpuSec: () => number): this {
    this.otherSources[name] = cpuSec;
    return this;
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  sample(): ProcSample | null {
    const s = readProc(this.pid);
    if (s) this.samples.push(s);
    const m = readMachineCpu();
    const dt = m.total - this.lastMachine.total;
    if (dt > 0) this.machine.push({ t: Date.now(), busyCores: ((m.busy - this.lastMachine.busy) / dt) * this.cores });
    this.lastMachine = m;
    const names = Object.keys(this.otherSources);
    if (names.length) {
      const cpuSec: Record<string, number> = {};
      for (const n of names) {
        try {
          cpuSec[n] = this.otherSources[n]?.() ?? 0;
        } catch {
          cpuSec[n] = 0;
        }
      }
      this.others.push({ t: Date.now(), cpuSec });
    }
    return s;
  }

  /** CPU use in % of one core between two instants (nearest samples), and the peak RSS over the run. */
  cpuPercent(fromMs: number, toMs: number): number | null {
    const inRange = this.samples.filter((s) => s.t >= fromMs && s.t <= toMs);
    const a = inRange[0];
    const b = inRange[inRange.length - 1];
    if (!a || !b || b.t <= a.t) return null;
    return ((b.cpuSec - a.cpuSec) / ((b.t - a.t) / 1000)) * 100;
  }

  /** CPU of each tracked process in % of one core between two instants. */
  othersPercent(fromMs: number, toMs: number): Record<string, number> {
    const inRange = this.others.filter((s) => s.t >= fromMs && s.t <= toMs);
    const a = inRange[0];
    const b = inRange[inRange.length - 1];
    if (!a || !b || b.t <= a.t) return {};
    return Object.fromEntries(Object.keys(b.cpuSec).map((k) => [k, +((((b.cpuSec[k] ?? 0) - (a.cpuSec[k] ?? 0)) / ((b.t - a.t) / 1000)) * 100).toFixed(1)]));
  }

  peakRssMb(fromMs = 0, toMs = Number.POSITIVE_INFINITY): number | null {
    const rss = this.samples.filter((s) => s.t >= fromMs && s.t <= toMs).map((s) => s.rssMb);
    return rss.length ? Math.max(...rss) : null;
  }

  machineBusyCores(fromMs: number, toMs: number): number | null {
    const m = this.machine.filter((s) => s.t >= fromMs && s.t <= toMs);
    return m.length ? m.reduce((a, s) => a + s.busyCores, 0) / m.length : null;
  }
}

/** Pids of this process's descendants (children, grandchildren, …) whose command line matches `test`. */
export function descendantPids(test: (cmdline: string) => boolean, root = process.pid): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && hops < 64; p = parentOf.get(p), hops++) if (p === root) return true;
    return false;
  };
  const out: number[] = [];
  for (const pid of parentOf.keys()) {
    if (!isDescendant(pid)) continue;
    try {
      if (test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The pid of the Temporal dev server listening on `address` (host:port) that this process started. Several
 * stacks (quick backfill runs two side by side) or other people's servers may run on the machine: the
 * server is told apart by its port, and only this process's descendants are considered.
 */
export function devServerPid(address: string): number | null {
  const port = address.slice(address.lastIndexOf(':') + 1);
  const re = new RegExp(`(^|\\s)--port(\\s+|=)${port}(\\s|$)`);
  const pids = descendantPids((cmd) => cmd.includes('start-dev') && re.test(cmd));
  return pids.length === 1 ? (pids[0] ?? null) : null;
}

/**
 * Cumulative CPU seconds of one process that never decreases: a failed reading (the process gone, a
 * momentary error) adds nothing instead of dropping the total to zero, so no interval can read negative.
 */
export function cpuCounterOfPid(pid: number): () => number {
  let last: number | null = null;
  let total = 0;
  return () => {
    const now = readProc(pid)?.cpuSec;
    if (now === undefined) return total;
    if (last !== null) total += Math.max(0, now - last);
    last = now;
    return total;
  };
}

/**
 * A cumulative CPU-seconds counter over every process whose command name starts with `comm` (e.g. all
 * `postgres` backends): sums per-pid increases, so a backend that exits does not make the total drop.
 */
export function cpuCounterOf(comm: string): () => number {
  const last = new Map<number, number>();
  let total = 0;
  return () => {
    const seen = new Set<number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (!name.startsWith(comm)) continue;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const pid = Number(entry);
        const sec = (Number(f[11]) + Number(f[12])) / CLK_TCK;
        const prev = last.get(pid);
        if (prev !== undefined) total += Math.max(0, sec - prev);
        last.set(pid, sec);
        seen.add(pid);
      } catch {
        // gone meanwhile
      }
    }
    for (const pid of last.keys()) if (!seen.has(pid)) last.delete(pid);
    return total;
  };
}
