// A "worker process" for the multi-process rate limit test: hammers one workspace through IntercomClient and
// PostgresRateLimiter from startAt until endAt (epoch ms, read as one JSON line on stdin once it has printed that it
// is ready: a slow boot on a busy machine cannot eat into the run), then prints one JSON line of results.
import { createDb } from '../../src/db/connection';
import { createIntercomHttp, IntercomClient, isIntercomError } from '../../src/intercom/client';
import { PostgresRateLimiter } from '../../src/ratelimit/postgres';

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`hammerWorker: ${name} is required`);
  return v;
}

async function startSignal(): Promise<{ startAt: number; endAt: number }> {
  let line = '';
  for await (const chunk of process.stdin) {
    line += String(chunk);
    const end = line.indexOf('\n');
    if (end >= 0) {
      const v = JSON.parse(line.slice(0, end)) as { startAt?: unknown; endAt?: unknown };
      if (typeof v.startAt !== 'number' || typeof v.endAt !== 'number') throw new Error(`hammerWorker: bad start line ${line.slice(0, end)}`);
      return { startAt: v.startAt, endAt: v.endAt };
    }
  }
  throw new Error('hammerWorker: stdin closed before the start line');
}

async function main(): Promise<void> {
  const baseUrl = env('SIM_BASE_URL');
  const workspaceId = env('WORKSPACE_ID');
  const windowMs = Number(env('WINDOW_MS'));
  const concurrency = Number(process.env.CONCURRENCY ?? '8');
  const ids = env('CONVERSATION_IDS').split(',');

  const db = createDb({ url: env('DATABASE_URL'), poolSize: 4 });
  const http = createIntercomHttp({ connectionsPerOrigin: concurrency });
  const limiter = new PostgresRateLimiter(db, { windowMs });
  const stop = new AbortController();
  const client = new IntercomClient({ workspaceId, token: `tok-${workspaceId}`, region: 'us', baseUrl, http, limiter, signal: stop.signal });

  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const { startAt, endAt } = await startSignal();
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
