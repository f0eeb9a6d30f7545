import { connect, type Socket } from 'node:net';
import { healthRoutes } from '../../src/server/health';
import { DEFAULT_LIMITS } from '../../src/server/limits';
import { startHttpServer, type HttpServer } from '../../src/server/listen';
import { waitFor } from '../helpers/stack';

// Issue 8, finding 6: a client that trickles its headers held a socket for 70 s (Node's defaults:
// 60 s headers timeout, checked every 30 s). The server now cuts it off at its headers timeout.
describe('HTTP limits', () => {
  let server: HttpServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      limits: { ...DEFAULT_LIMITS, headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, idleTimeoutMs: 2_000 },
      routes: async (app) => {
        await app.register(healthRoutes, { checks: [] });
      },
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await server?.close();
  });

  function open(): Promise<Socket> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => resolve(s));
      s.on('error', reject);
      sockets.push(s);
    });
  }

  it('closes the socket of a client that never finishes its headers, however steadily it trickles', async () => {
    const socket = await open();
    let closedByServer = false;
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.on('close', () => (closedByServer = true));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    // A byte every 100 ms keeps any idle timer from firing: only a headers deadline can end this.
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, 100);
    try {
      await waitFor('the server to close the slow-header socket', async () => closedByServer, 20_000, 100);
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a socket that sends nothing at all', async () => {
    const socket = await open();
    let closed = false;
    socket.on('close', () => (closed = true));
    await waitFor('the server to close the silent socket', async () => closed, 20_000, 100);
  });

  it('still serves a normal request', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });
});
