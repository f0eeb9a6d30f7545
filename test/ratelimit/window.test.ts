import { DEFAULT_WINDOW_OPTIONS, epochWindowEnd, initialWindow, observe, roll, take, type WindowState } from '../../src/ratelimit/window';

const W = 10_000;
const T0 = 1_700_000_000_000; // epoch-aligned to 10 s

function state(over: Partial<WindowState> = {}): WindowState {
  return { limit: 100, learned: true, windowMs: W, windowEndMs: T0 + W, used: 0, carry: 0, ...over };
}

describe('window arithmetic', () => {
  it('starts with epoch-aligned windows and the conservative limit', () => {
    expect(epochWindowEnd(T0 + 1234, W)).toBe(T0 + W);
    expect(initialWindow(T0 + 1, 40, W)).toEqual({ limit: 40, learned: false, windowMs: W, windowEndMs: T0 + W, used: 0, carry: 0 });
  });

  it('rolls to the next window, carrying guard-zone grants, and skips idle windows', () => {
    const s = state({ used: 100, carry: 3 });
    expect(roll(s, T0 + 5)).toBe(s);
    expect(roll(s, T0 + W)).toMatchObject({ windowEndMs: T0 + 2 * W, used: 3, carry: 0 });
    expect(roll(s, T0 + 3 * W + 7)).toMatchObject({ windowEndMs: T0 + 4 * W, used: 0, carry: 0 });
  });

  it('grants up to the limit, never past it', () => {
    let s = state({ used: 95 });
    const a = take(s, T0 + 100, 3, 300);
    expect(a.granted).toBe(3);
    s = a.state;
    const b = take(s, T0 + 200, 5, 300);
    expect(b.granted).toBe(2);
    expect(b.state.used).toBe(100);
    expect(take(b.state, T0 + 300, 1, 300).granted).toBe(0);
    expect(take(b.state, T0 + W, 1, 300)).toMatchObject({ granted: 1, state: { used: 1 } });
  });

  it('charges grants in the guard zone to the next window too', () => {
    const r = take(state({ used: 10 }), T0 + W - 100, 4, 300);
    expect(r.state).toMatchObject({ used: 14, carry: 4 });
    expect(roll(r.state, T0 + W + 1)).toMatchObject({ used: 4, carry: 0 });
  });

  it('learns the limit from X-RateLimit-Limit', () => {
    const s = observe(initialWindow(T0, 40, W), { status: 200, limit: 166, remaining: 165, resetSec: (T0 + W) / 1000 }, T0 + 10);
    expect(s).toMatchObject({ limit: 166, learned: true, used: 1 });
    expect(observe(s, { status: 200, limit: 166 }, T0 + 10, { ...DEFAULT_WINDOW_OPTIONS, headroom: 6 }).limit).toBe(160);
    // With headroom, remaining still counts against the server's 166: 100 remaining = 66 used.
    const kept = observe(initialWindow(T0, 40, W), { status: 200, limit: 166, remaining: 100, resetSec: (T0 + W) / 1000 }, T0 + 10, { ...DEFAULT_WINDOW_OPTIONS, headroom: 6 });
    expect(kept).toMatchObject({ limit: 160, used: 66 });
  });

  it('raises used when the server says fewer remain (someone else spends the budget)', () => {
    const s = state({ used: 10 });
    expect(observe(s, { status: 200, limit: 100, remaining: 50, resetSec: (T0 + W) / 1000 }, T0 + 10).used).toBe(50);
    // More remaining than we think: we keep our (higher) count.
    expect(observe(s, { status: 200, limit: 100, remaining: 99, resetSec: (T0 + W) / 1000 }, T0 + 10).used).toBe(10);
  });

  it('ignores reports about a window that is over', () => {
    const s = state({ used: 10 });
    expect(observe(s, { status: 200, limit: 100, remaining: 0, resetSec: T0 / 1000 }, T0 + 10).used).toBe(10);
  });

  it('re-anchors on X-RateLimit-Reset', () => {
    const s = state({ used: 10 });
    const r = observe(s, { status: 200, limit: 100, remaining: 80, resetSec: (T0 + 4000) / 1000 }, T0 + 10);
    expect(r).toMatchObject({ windowEndMs: T0 + 4000, used: 20 });
    expect(roll(r, T0 + 4000)).toMatchObject({ windowEndMs: T0 + 14_000, used: 0 });
    // A reset far beyond a window is nonsense (unless it comes with a 429).
    expect(observe(s, { status: 200, resetSec: (T0 + 60_000) / 1000 }, T0 + 10).windowEndMs).toBe(T0 + W);
    expect(observe(s, { status: 429, resetSec: (T0 + 60_000) / 1000 }, T0 + 10)).toMatchObject({ windowEndMs: T0 + 60_000, used: 100 });
  });

  it('a 429 exhausts the window until its reset and makes the limit be re-learned', () => {
    const r = observe(state({ used: 3 }), { status: 429, resetSec: (T0 + W) / 1000 }, T0 + 10);
    expect(r).toMatchObject({ used: 100, learned: false, windowEndMs: T0 + W });
    expect(take(r, T0 + 20, 1, 300).granted).toBe(0);
    expect(take(r, T0 + W, 1, 300).granted).toBe(1);
  });
});
