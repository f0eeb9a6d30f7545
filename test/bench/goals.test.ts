import { evaluate, goalsMet, judge, type Goal } from '../../scripts/bench/goals';

const p99: Goal = { key: 'p99_s', op: '<=', target: 16 };
const utilization: Goal = { key: 'utilization', op: '>=', target: 0.95, requires: { key: 'steady_windows', min: 5, what: 'steady windows' } };

describe('benchmark goals', () => {
  it('a figure within its goal passes', () => {
    const r = judge({ p99_s: 14.9 }, p99);
    expect(r).toMatchObject({ pass: true, value: 14.9 });
    expect(r.reason).toBeUndefined();
  });

  it('a figure outside its goal fails and says by how much', () => {
    expect(judge({ p99_s: 16.2 }, p99)).toMatchObject({ pass: false, reason: 'p99_s 16.2 misses <= 16' });
  });

  it.each([
    ['null', null, 'null'],
    ['missing', undefined, 'missing'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['a string', '14.9', 'not a number ("14.9")'],
  ])('a figure that is %s fails its goal', (_name, value, why) => {
    const r = judge(value === undefined ? {} : { p99_s: value }, p99);
    expect(r).toMatchObject({ pass: false, value: null, reason: `p99_s was not measured (${why})` });
  });

  it('a utilization over fewer than five steady windows fails, however good', () => {
    expect(judge({ utilization: 1, steady_windows: 1 }, utilization)).toMatchObject({ pass: false, reason: 'only 1 steady windows (at least 5 needed)' });
    expect(judge({ utilization: 1 }, utilization)).toMatchObject({ pass: false, reason: 'only 0 steady windows (at least 5 needed)' });
    expect(judge({ utilization: 0.99, steady_windows: 5 }, utilization).pass).toBe(true);
  });

  it('goals are met only when every goal passes', () => {
    expect(goalsMet(evaluate({ p99_s: 10, utilization: 1, steady_windows: 12 }, [p99, utilization]))).toBe(true);
    expect(goalsMet(evaluate({ p99_s: null, utilization: 1, steady_windows: 12 }, [p99, utilization]))).toBe(false);
    expect(goalsMet(evaluate({ p99_s: Number.NaN }, [p99]))).toBe(false);
    expect(goalsMet([])).toBe(false);
  });
});
