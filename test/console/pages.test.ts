import { loadConfig } from '../../src/config';
import { consoleOptions } from '../../src/console/settings';
import { checkCredential, csrfToken, hashConsolePassword, LoginThrottle, sessionCookie, signSession, verifySession } from '../../src/console/auth';
import { card } from '../../src/console/integrationsPage';
import { verifyBody } from '../../src/console/verifyPage';
import type { CardRow } from '../../src/repositories/consoleData';

// Issue 12: the console's pieces that need no browser: escaping, credentials, sessions, CSRF.
const EVIL = `<img src=x onerror="alert(1)">'&`;
const row = (o: Partial<CardRow> = {}): CardRow => ({
  id: 'ws-1',
  name: EVIL,
  region: 'us',
  status: 'Sync in progress',
  connectedAt: new Date(),
  updatedAt: new Date(),
  backfillPercent: 42.7,
  backfillStored: 10,
  backfillEtaSeconds: 90,
  lastDefaultRunAt: null,
  agentsObservedAt: null,
  tickets: 10,
  syncErrors: 0,
  lastError: `401 <b>bad</b>`,
  errorClass: 'auth',
  ...o,
});

describe('console pages and access', () => {
  it('escapes every value from the database in the card and the verify page', () => {
    const page = card(row(), { csrf: 'tok"en' }).value;
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&#60;img src&#61;x onerror&#61;&#34;alert(1)&#34;&#62;&#39;&#38;');
    expect(page).toContain('value="tok&#34;en"');
    expect(page).toContain('42%, ETA 90 s');
    expect(page).toContain('401 &#60;b&#62;bad&#60;/b&#62; (auth)');
    const verify = verifyBody({
      workspace: { id: 'ws-1', name: EVIL },
      days: 14,
      perDay: [{ day: '2026-11-29', count: 0 }],
      responses: [{ day: '2026-11-29', median: null, p90: null, responded: 0 }],
      states: [{ state: EVIL, count: 1 }],
      spans: [{ adminId: '1', agent: EVIL, state: 'away', from: new Date(), to: new Date() }],
      problems: ['2026-11-29: 0 contacts, zero'],
      now: new Date(),
    }).value;
    expect(verify).not.toContain('<img');
    expect(verify).toContain('2026-11-29: 0 contacts, zero');
    expect(verify).not.toContain('data-chart="by-queue"');
  });

  it('adds per-queue and per-team charts with their tables when tickets carry them', () => {
    const page = verifyBody({
      workspace: { id: 'ws-1', name: 'Acme' },
      days: 2,
      perDay: [],
      responses: [],
      states: [],
      spans: [],
      problems: [],
      now: new Date(),
      breakdowns: [
        { by: 'queue', data: { slices: [{ id: 't1', name: EVIL, removed: true, total: 3 }, { id: null, name: '(no queue)', removed: false, total: 1 }], days: [{ day: '2026-11-28', counts: [1, 0] }, { day: '2026-11-29', counts: [2, 1] }] } },
        { by: 'team', data: { slices: [], days: [] } },
      ],
    }).value;
    expect(page).toContain('data-chart="by-queue"');
    expect(page).not.toContain('data-chart="by-team"');
    expect(page).not.toContain('<img');
    expect(page).toContain('&#60;img src&#61;x onerror&#61;&#34;alert(1)&#34;&#62;&#39;&#38; (removed)</th>');
    expect(page).toContain('<tr><th scope="row">2026-11-29</th><td>2</td><td>1</td></tr>');
  });

  it("a customer admin's card has no actions and no verify link", () => {
    const page = card(row({ name: 'Acme' }), { csrf: null }).value;
    expect(page).not.toContain('<form');
    expect(page).not.toContain('/verify');
  });

  it('checks a scrypt password hash and a token, and nothing else', async () => {
    const hash = await hashConsolePassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await checkCredential({ passwordHash: hash }, 'correct horse battery')).toBe(true);
    expect(await checkCredential({ passwordHash: hash }, 'correct horse batter')).toBe(false);
    expect(await checkCredential({ passwordHash: hash }, '')).toBe(false);
    expect(await checkCredential({ token: 't'.repeat(30) }, 't'.repeat(30))).toBe(true);
    expect(await checkCredential({ token: 't'.repeat(30) }, 't'.repeat(29))).toBe(false);
    expect(await checkCredential({}, 'anything')).toBe(false);
    // What `npm run console-hash` prints is what the configuration accepts; a malformed one is named.
    expect(loadConfig({ CONSOLE_PASSWORD_HASH: hash }).CONSOLE_PASSWORD_HASH).toBe(hash);
    expect(() => loadConfig({ CONSOLE_PASSWORD_HASH: 'hunter2' })).toThrow(/CONSOLE_PASSWORD_HASH/);
    expect(() => loadConfig({ CONSOLE_TOKEN: 'short' })).toThrow(/CONSOLE_TOKEN/);
    expect(consoleOptions(loadConfig({}))).toBeNull();
  });

  it('refuses tampered, foreign and expired sessions; binds CSRF tokens to the session', () => {
    const key = 'k'.repeat(40);
    const op = signSession(key, { kind: 'operator' }, 60);
    expect(verifySession(key, op)).toEqual({ kind: 'operator' });
    expect(verifySession('x'.repeat(40), op)).toBeNull();
    expect(verifySession(key, signSession(key, { kind: 'operator' }, -1))).toBeNull();
    // A workspace admin's cookie edited to claim the operator scope fails its signature.
    const admin = signSession(key, { kind: 'admin', workspaceId: 'ws-1' }, 60);
    expect(verifySession(key, admin)).toEqual({ kind: 'admin', workspaceId: 'ws-1' });
    const [v, , ...rest] = admin.split('.');
    expect(verifySession(key, [v, Buffer.from('op').toString('base64url'), ...rest].join('.'))).toBeNull();
    expect(csrfToken(key, op)).not.toBe(csrfToken(key, signSession(key, { kind: 'operator' }, 60)));
    expect(sessionCookie(op, 60, true)).toMatch(/HttpOnly; SameSite=Strict; Secure$/);
    expect(sessionCookie(op, 60, false)).not.toContain('Secure');
  });

  it('slows each further wrong password from one address, and forgets it after a success', () => {
    const t = new LoginThrottle();
    expect(t.delayMs('a')).toBe(0);
    t.failed('a');
    const one = t.delayMs('a');
    t.failed('a');
    t.failed('a');
    expect(t.delayMs('a')).toBeGreaterThan(one);
    for (let i = 0; i < 30; i += 1) t.failed('a');
    expect(t.delayMs('a')).toBe(8_000);
    expect(t.delayMs('b')).toBeGreaterThan(0);
    t.succeeded('a');
    expect(t.delayMs('a')).toBeLessThan(8_000);
  });
});
