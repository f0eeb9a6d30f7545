/**
 * A deadline is a bound on "eventually", never a claim about speed (durations are measured by
 * `npm run bench`): WAIT_DEADLINE_SCALE stretches every deadline on a loaded machine (the test
 * suite sets 3), which costs nothing while things work, since a wait returns as soon as its probe does.
 */
export function deadlineScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WAIT_DEADLINE_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 1) throw new Error(`WAIT_DEADLINE_SCALE: expected a number ≥ 1, got ${JSON.stringify(raw)}`);
  return scale;
}

/** Polls `probe` until it returns a truthy value, or fails with `what` after the (scaled) deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs = 60_000, everyMs = 200): Promise<T> {
  const timeoutMs = Math.round(deadlineMs * deadlineScale());
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
