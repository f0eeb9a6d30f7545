/** Polls `probe` until it returns a truthy value, or fails with `what` after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * Polls `probe` for `forMs` and fails as soon as it returns something truthy: for what must NOT happen during a
 * period (e.g. a request while paused). The period is the test's claim (say, four poll intervals), not a sleep
 * that waits for something to finish.
 */
export async function holdsFor(what: string, probe: () => Promise<unknown>, forMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + forMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v) throw new Error(`${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, end - Date.now()))));
  }
}
