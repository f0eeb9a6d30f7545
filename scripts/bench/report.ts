import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack';
import type { Figure, Goal, GoalResult } from './goals';

export { evaluate, goalsMet, zeroGoals, type Figure, type Goal, type GoalResult } from './goals';

export interface ScenarioOutput {
  /** The scenario's figures: written to the JSON file and printed as the last line. */
  summary: Record<string, Figure | Record<string, Figure>[]>;
  goals: Goal[];
  notes: string[];
  /** Everything else worth keeping (per-window counts, samples, parameters). */
  details: Record<string, unknown>;
  svg: string;
}

export function machine(): Record<string, string | number> {
  const c = cpus();
  return { cpus: c.length, cpu_model: c[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` };
}

/** Writes bench-results/[quick/]<name>.json and .svg; returns their paths relative to the repository. */
export async function writeResult(name: string, quick: boolean, command: string, out: ScenarioOutput, goals: GoalResult[]): Promise<{ json: string; svg: string }> {
  const rel = quick ? join('bench-results', 'quick') : 'bench-results';
  const dir = join(ROOT, rel);
  await mkdir(dir, { recursive: true });
  const doc = {
    ...out.summary,
    goals: goals.map((g) => ({ key: g.key, goal: `${g.op} ${g.target}`, value: g.value, pass: g.pass, ...(g.reason ? { reason: g.reason } : {}) })),
    notes: out.notes,
    run: { date: new Date().toISOString(), command, quick, machine: machine() },
    details: out.details,
  };
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  await writeFile(join(dir, `${name}.svg`), out.svg);
  return { json: join(rel, `${name}.json`), svg: join(rel, `${name}.svg`) };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function show(v: Figure | Record<string, Figure>[] | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 3);
  if (Array.isArray(v)) return `${v.length} rows`;
  return String(v);
}

/** A plain-text table: one row per figure, with its goal and verdict where there is one. */
export function table(name: string, out: ScenarioOutput, goals: GoalResult[]): string {
  const rows: string[][] = [];
  for (const [k, v] of Object.entries(out.summary)) {
    if (k === 'scenario' || Array.isArray(v)) continue;
    const g = goals.find((x) => x.key === k);
    rows.push([k, show(v), g ? `${g.op} ${g.target}` : '', g ? (g.pass ? 'PASS' : g.value === null ? 'MISS (not measured)' : 'MISS') : '']);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), ['figure', 'value', 'goal', ''][i]?.length ?? 0));
  const line = (r: string[]) => `| ${r.map((c, i) => pad(c, widths[i] ?? 0)).join(' | ')} |`;
  return [`${name}`, line(['figure', 'value', 'goal', '']), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? null;
}

export const round = (v: number | null | undefined, digits = 3): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : +v.toFixed(digits));
