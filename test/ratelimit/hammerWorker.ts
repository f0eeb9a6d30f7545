// A "worker process" for the multi-process rate limit test: hammers one workspace through IntercomClient and
// PostgresRateLimiter from START_AT until END_AT (epoch ms), then prints one JSON line of results.
import { createDb } from '../../src/db/connection';
import { createIntercomHttp, IntercomClient, isIntercomError } from '../../src/intercom/client';
import { PostgresRateLimiter } from '../../src/ratelimit/postgres';

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`hammerWorker: ${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const baseUrl = env('SIM_BASE_URL');
  const workspaceId = env('WORKSPACE_ID');
  const startAt = Number(env('START_AT'));
  const endAt = Number(env('END_AT'));
  const windowMs = Number(env('WINDOW_MS'));
  const concurrency = Number(process.env.CONCURRENCY ?? '8');
  const ids = env('CONVERSATION_IDS').split(',');

  const db = createDb({ url: env('DATABASE_URL'), poolSize: 4 });
  const http = createIntercomHttp({ connectionsPerOrigin: concurrency });
  const limiter = new PostgresRateLimiter(db, { windowMs });
  const stop = new AbortController();
  const client = new IntercomClient({ workspaceId, token: `tok-${workspaceId}`, region: 'us', baseUrl, http, limiter, signal: stop.signal });

  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const timer = setTimeout(() => stop.abort(new Error('time is up')), Math.max(0, endAt - Date.now()));
  const errors: Record<string, number> = {};
  let ok = 0;
  let n = 0;
  const t0 = Date.now();
  const one = async (): Promise<void> => {
    const id = ids[n++ % ids.length] ?? '1';
    try {
      await client.getConversation(id);
      ok++;
    } catch (e) {
      if (stop.signal.aborted) return;
      const key = isIntercomError(e) ? e.code : String(e);
      errors[key] = (errors[key] ?? 0) + 1;
    }
  };
  if (process.env.MODE === 'paced') {
    // Steady demand of RATE_PER_SEC requests per second, however the limiter answers.
    const rate = Number(env('RATE_PER_SEC'));
    const pending = new Set<Promise<void>>();
    for (let i = 0; !stop.signal.aborted; i++) {
      const due = t0 + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if (stop.signal.aborted) break;
      const p = one().finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (!stop.signal.aborted) await one();
      }),
    );
  }
  clearTimeout(timer);
  const elapsedMs = Date.now() - t0;
  process.stdout.write(`${JSON.stringify({ ok, errors, requestsSent: client.requestsSent, limiter: limiter.stats(), elapsedMs })}\n`);
  await http.close();
  await db.destroy();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
