import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createIntercomHttp, IntercomClient, isIntercomError } from '../src/intercom/client';
import { InMemoryRateLimiter } from '../src/ratelimit/memory';

// `npx tsx scripts/bounded-rss.ts`: the RSS growth of this process while a 200 MB detail body is refused (Content-Length
// declared, then chunked), next to reading the same body unbounded as the client did before. Prints JSON.

const SIZE = 200 * 1024 * 1024;

function huge(res: ServerResponse, declare: boolean): void {
  res.writeHead(200, { 'content-type': 'application/json', ...(declare ? { 'content-length': SIZE } : {}) });
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  let sent = 0;
  const pump = (): void => {
    while (sent < SIZE && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => undefined);
  pump();
}

async function peakDuring(fn: () => Promise<unknown>): Promise<{ beforeMb: number; peakMb: number; outcome: string }> {
  const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
  const beforeMb = mb();
  let peakMb = beforeMb;
  const timer = setInterval(() => (peakMb = Math.max(peakMb, mb())), 10);
  let outcome: string;
  try {
    const r = await fn();
    outcome = typeof r === 'number' ? `read ${r} bytes` : 'ok';
  } catch (err) {
    outcome = isIntercomError(err) ? err.code : String(err);
  }
  clearInterval(timer);
  peakMb = Math.max(peakMb, mb());
  return { beforeMb, peakMb, outcome };
}

async function main(): Promise<void> {
  let declare = true;
  const server = createServer((req, res) => {
    req.resume();
    huge(res, declare);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = createIntercomHttp();
  const client = new IntercomClient({ workspaceId: 'w', token: 't', region: 'us', baseUrl: base, http, limiter: new InMemoryRateLimiter({ initialLimit: 1000 }), maxRetries: 0 });
  const out: Record<string, unknown> = {};
  out.boundedDeclared = await peakDuring(() => client.getConversation('c1'));
  declare = false;
  out.boundedChunked = await peakDuring(() => client.getConversation('c2'));
  out.unboundedForComparison = await peakDuring(async () => (await (await request(`${base}/conversations/c3`)).body.text()).length);
  await http.close();
  server.closeAllConnections();
  server.close();
  console.log(JSON.stringify(out));
}

void main();
