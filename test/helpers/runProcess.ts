import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** Key and endpoint variables a test process must not inherit from the environment jest runs in. */
const SCRUBBED = ['TOKEN_ENCRYPTION_KEY', 'TOKEN_ENCRYPTION_KEYS', 'INTERCOM_API_BASE_URL', 'TEMPORAL_ADDRESS'];

/**
 * Runs one of our entry points (`src/cli/index.ts`, `src/worker/main.ts`) as a process, with exactly `env` on top of
 * a scrubbed environment; its standard input is `stdin` (nothing by default), then closed.
 */
export function runProcess(entry: string, args: string[], env: Record<string, string>, o: { stdin?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; out: string; err: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUBBED.includes(k)));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, entry), ...args], { cwd: root, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
    // A process that exits without reading its input closes the pipe under us: that is its answer, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.stdin ?? '');
  });
}
