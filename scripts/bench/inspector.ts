import { createWriteStream } from 'node:fs';
import { WebSocket } from 'undici';

/**
 * A minimal Chrome DevTools Protocol session to a worker started with --inspect: heap usage for the
 * charts and, for diagnosis, a heap snapshot written to a file (open it in Chrome DevTools).
 */
export class InspectorSession {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: unknown) => void>();
  private onChunk: ((chunk: string) => void) | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; method?: string; params?: { chunk?: string } };
      if (msg.id !== undefined) {
        this.waiting.get(msg.id)?.(msg.result);
        this.waiting.delete(msg.id);
      } else if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && msg.params?.chunk) {
        this.onChunk?.(msg.params.chunk);
      }
    });
  }

  static async connect(url: string): Promise<InspectorSession> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`inspector: cannot connect to ${url}`)), { once: true });
    });
    return new InspectorSession(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.waiting.set(id, (r) => resolve(r as T));
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** V8 heap in use and allocated, in MB. */
  async heapMb(): Promise<{ used: number; total: number }> {
    const r = await this.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    return { used: r.usedSize / 1048576, total: r.totalSize / 1048576 };
  }

  async heapSnapshot(path: string): Promise<void> {
    const out = createWriteStream(path);
    this.onChunk = (c) => out.write(c);
    await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    this.onChunk = null;
    await new Promise<void>((r) => out.end(() => r()));
  }

  close(): void {
    this.ws.close();
  }
}
