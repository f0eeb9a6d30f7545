import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

  peakRssMb(fromMs = 0, toMs = Number.POSITIVE_INFINITY): number | null {
    const rss = this.samples.filter((s) => s.t >= fromMs && s.t <= toMs).map((s) => s.rssMb);
    return rss.length ? Math.max(...rss) : null;
  }

  machineBusyCores(fromMs: number, toMs: number): number | null {
    const m = this.machine.filter((s) => s.t >= fromMs && s.t <= toMs);
    return m.length ? m.reduce((a, s) => a + s.busyCores, 0) / m.length : null;
  }
}
