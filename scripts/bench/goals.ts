/**
 * The one place a benchmark goal is judged. A figure that was not measured (missing, null, NaN, ±Infinity)
 * fails its goal and says why: an unobserved change or an empty steady period must never read as "met".
 */

export type Figure = number | string | null | boolean;

export interface Goal {
  key: string;
  op: '>=' | '<=';
  target: number;
  /** The figure is only meaningful when another figure reaches a minimum (e.g. utilization over ≥ 5 steady windows). */
  requires?: { key: string; min: number; what: string };
}

export interface GoalResult extends Goal {
  value: number | null;
  pass: boolean;
  /** Why the goal failed, in words (absent when it passed). */
  reason?: string;
}

/** One goal per key for a count that must stay at zero (rows lost, requests after a pause…). */
export function zeroGoals(...keys: string[]): Goal[] {
  return keys.map((key) => ({ key, op: '<=', target: 0 }));
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function judge(summary: Record<string, unknown>, g: Goal): GoalResult {
  const v = summary[g.key];
  if (!finite(v)) {
    const why = v === undefined ? 'missing' : v === null ? 'null' : typeof v === 'number' ? String(v) : `not a number (${JSON.stringify(v)})`;
    return { ...g, value: null, pass: false, reason: `${g.key} was not measured (${why})` };
  }
  if (g.requires) {
    const n = summary[g.requires.key];
    if (!finite(n) || n < g.requires.min) {
      return { ...g, value: v, pass: false, reason: `only ${finite(n) ? n : 0} ${g.requires.what} (at least ${g.requires.min} needed)` };
    }
  }
  const pass = g.op === '>=' ? v >= g.target : v <= g.target;
  return pass ? { ...g, value: v, pass } : { ...g, value: v, pass, reason: `${g.key} ${v} misses ${g.op} ${g.target}` };
}

export function evaluate(summary: Record<string, unknown>, goals: Goal[]): GoalResult[] {
  return goals.map((g) => judge(summary, g));
}

/** Every goal judged and passed (no goals: nothing was promised, so nothing is met). */
export const goalsMet = (results: GoalResult[]): boolean => results.length > 0 && results.every((r) => r.pass);
