import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** The image's entry point (scripts/docker-entrypoint.sh), run here as the image runs it, from the app folder. */
function entrypoint(...args: string[]) {
  const r = spawnSync('sh', [resolve(root, 'scripts/docker-entrypoint.sh'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the image entry point', () => {
  it('runs a package.json tsx script with node --import tsx, passing the arguments on', () => {
    const r = entrypoint('cli');
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: npm run cli -- <command> [args]');
    const refused = entrypoint('cli', 'connect', '--token', 'x');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--token is not accepted');
  });

  it('runs any other command as given, and refuses a script that is not a tsx command', () => {
    expect(entrypoint('echo', 'as', 'given')).toMatchObject({ code: 0, out: 'as given\n' });
    const r = entrypoint('test');
    expect(r.code).toBe(2);
    expect(r.err).toContain('the package.json script "test" is');
  });
});
