import { windowPlan } from '../../activities/reconcile';

const HOUR = 3600;

describe('the reconciliation window plan', () => {
  it('reads a window that fits the run', () => {
    expect(windowPlan(5, 5, 100, 30 * 86400)).toBe('read');
  });

  it('shrinks a window larger than the run while it can', () => {
    expect(windowPlan(6, 5, 100, 2 * HOUR)).toBe('shrink');
  });

  it('reads a minimum window whole past the run’s pages, but never past the day’s share', () => {
    // 12 pages needed, 5 left in the run: the hour is read whole when the day still has 11 more.
    expect(windowPlan(12, 5, 11, HOUR)).toBe('read');
    expect(windowPlan(12, 5, 10, HOUR)).toBe('wait_for_tomorrow');
  });
});
