/**
 * Hammers `acquire` from `concurrency` loops until `untilMs` and returns the grant times (pushed onto `grants`,
 * so that two limiters can hammer into one list). Each loop yields between grants: an in-memory limiter with
 * budget left would otherwise never give the other loops, or the clock, a turn.
 */
export async function hammer(acquire: () => Promise<void>, concurrency: number, untilMs: number, grants: number[] = []): Promise<number[]> {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < untilMs) {
        await acquire();
        const t = Date.now();
        if (t < untilMs) grants.push(t);
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  return grants;
}

/** Grants per epoch-aligned window of `windowMs` (the limiters' windows), keyed by window number. */
export function perWindow(grants: number[], windowMs: number): Map<number, number> {
  const m = new Map<number, number>();
  for (const g of grants) {
    const w = Math.floor(g / windowMs);
    m.set(w, (m.get(w) ?? 0) + 1);
  }
  return m;
}
