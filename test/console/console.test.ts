import { mkdirSync } from 'node:fs';
import { request } from 'undici';
import type { Browser, Page } from 'puppeteer-core';
import { agentsByState, contactsPerDay, contactsPerDayBy } from '../../src/repositories/verify';
import { firstResponsePerDay } from '../../src/repositories/consoleData';
import { startStack, waitFor, type Stack } from '../helpers/stack';
import { startTestServer, type TestServer } from '../server/testServer';
import { axeViolations, controls, launch, tabOrder } from './browser';

// Issue 12: the operator console, driven in a real headless Chromium against the real stack.
const WS = 'console-ws';
const OTHER = 'console-other';
const TOKEN = 'operator-token-'.padEnd(40, 'x');
const CADENCE = { defaultMs: 2_000, agentStatesMs: 1_000, agentPollerRunMs: 20_000 };
const screenshots = process.env.UPDATE_SCREENSHOTS === '1';

/** Evaluated as strings: this file is compiled without the DOM's types. */
const text = (page: Page, selector: string) => page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent?.trim() ?? null`) as Promise<string | null>;
const tableRows = (page: Page, name: string) =>
  page.evaluate(`[...document.querySelectorAll('table[data-table="${name}"] tbody tr')].map((tr) => [...tr.children].map((c) => c.dataset.seconds ?? c.textContent.trim()))`) as Promise<string[][]>;
const dbStatus = async (stack: Stack, id: string) => (await stack.t.db.selectFrom('workspaces').select('status').where('id', '=', id).executeTakeFirst())?.status;

describe('operator console in a browser', () => {
  let stack: Stack;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack({
      simulator: {
        seed: 12,
        workspaces: [
          { id: WS, name: 'Console Co', region: 'us', conversations: 400 },
          { id: OTHER, name: 'Other Co', region: 'eu', conversations: 20 },
        ],
      },
      workflow: { cadence: CADENCE, backfill: { initialWindowSec: 3600, targetPerWindow: 20, heartbeatTimeoutMs: 10_000 } },
    });
    server = await startTestServer(stack, { consoleToken: TOKEN });
    browser = await launch();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stack?.stop();
  });

  it('shows no tenant data before sign-in, and slows and refuses a wrong password', async () => {
    await page.goto(`${server.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    for (const path of ['/console/status.json', `/console/workspaces/${WS}/verify`]) {
      const res = await request(`${server.url}${path}`);
      const body = await res.body.text();
      expect([401, 303]).toContain(res.statusCode);
      expect(body).not.toContain('Console Co');
    }
    expect(await axeViolations(page)).toEqual([]);
    await page.type('#password', 'wrong password');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(await text(page, '[role=alert]')).toContain('not right');
  });

  it('signs in, connects through OAuth with the Connect button and watches the card reach Synced', async () => {
    await page.goto(`${server.url}/console/login`);
    await page.type('#password', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(new URL(page.url()).pathname).toBe('/console');
    const [cookie] = await page.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // The simulator approves its first workspace unless told otherwise; the button carries no hint.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[href="/console/connect"]')]);
    await page.waitForSelector(`#ws-${WS}`, { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/console');

    // The card updates in place (the page's script polls status.json): record what it showed.
    const seen = new Set<string>();
    await waitFor('the card to read Synced', async () => {
      const s = await text(page, `#ws-${WS} [data-field=status]`);
      if (s) seen.add(s);
      return s === 'Synced';
    }, 120_000, 250);
    expect([...seen].some((s) => s === 'Sync in progress' || s === 'Connected')).toBe(true);
    expect(await dbStatus(stack, WS)).toBe('Synced');
    const stored = await stack.t.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', WS).executeTakeFirstOrThrow();
    await waitFor('stored count on the card', async () => (await text(page, `#ws-${WS} [data-field=stored]`)) === String(Number(stored.n)));
    expect(await text(page, `#ws-${WS} [data-field=backfill]`)).toBe('100%');
    // The workflow mirrored its progress and the default loop its last run: the card reads them from Postgres.
    const mirror = await waitFor('the mirror to show the finished backfill and a default run', () =>
      stack.t.db.selectFrom('workspaces').selectAll().where('id', '=', WS).where('backfill_percent', '=', 100).where('last_default_run_at', 'is not', null).executeTakeFirst(),
    );
    // The backfill's own count; the default loop may have stored a few newer conversations beside it.
    expect(mirror.backfill_stored).toBeGreaterThan(0);
    expect(mirror.backfill_stored).toBeLessThanOrEqual(Number(stored.n));
    await waitFor('the card to show the default run', async () => /ago$/.test((await text(page, `#ws-${WS} [data-field=defaultRun]`)) ?? ''));
    if (screenshots) {
      mkdirSync('docs', { recursive: true });
      await (await page.$(`#ws-${WS}`))?.screenshot({ path: 'docs/console-card.png' });
    }
  });

  it('pauses and resumes through the card, and refuses a forged CSRF token', async () => {
    await page.goto(`${server.url}/console`);
    await Promise.all([page.waitForNavigation(), page.click(`form[action="/console/workspaces/${WS}/pause"] button`)]);
    expect(await text(page, '[role=alert]')).toContain('paused');
    expect(await dbStatus(stack, WS)).toBe('Paused');
    await waitFor('the card to read Paused', async () => (await text(page, `#ws-${WS} [data-field=status]`)) === 'Paused');

    // The same form with another token: refused, nothing sent.
    await page.evaluate(`document.querySelector('form[action="/console/workspaces/${WS}/resume"] input[name=csrf]').value = 'forged'`);
    const [forged] = await Promise.all([page.waitForNavigation(), page.click(`form[action="/console/workspaces/${WS}/resume"] button`)]);
    expect(forged?.status()).toBe(403);
    expect(await text(page, '[role=alert]')).toContain('CSRF');
    expect(await dbStatus(stack, WS)).toBe('Paused');

    await page.goto(`${server.url}/console`);
    await Promise.all([page.waitForNavigation(), page.click(`form[action="/console/workspaces/${WS}/resume"] button`)]);
    await waitFor('the workspace to run again', async () => (await dbStatus(stack, WS)) === 'Synced');

    // A resync range the workflow refuses comes back in the CLI's words.
    await page.evaluate(`document.querySelector('#ws-${WS} details').open = true`);
    await page.type(`#ws-${WS} input[name=from]`, '01012099');
    const [bad] = await Promise.all([page.waitForNavigation(), page.click(`form[action="/console/workspaces/${WS}/resync"] button`)]);
    expect(bad?.status()).toBe(409);
    expect(await text(page, '[role=alert]')).toMatch(/resync rejected: resync: fromSec \(\d+\) is in the future/);
  });

  it('every control is reachable by keyboard and axe finds nothing on the integrations page', async () => {
    await page.goto(`${server.url}/console`);
    await page.evaluate(`document.querySelectorAll('details').forEach((d) => (d.open = true))`);
    const reachable = await tabOrder(page);
    expect(new Set(reachable)).toEqual(new Set(await controls(page)));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('the verify page shows charts whose numbers match Postgres', async () => {
    await page.goto(`${server.url}/console`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/workspaces/${WS}/verify"]`)]);
    for (const chart of ['contacts', 'frt', 'agents', 'timeline']) expect(await page.$(`svg[data-chart=${chart}]`)).not.toBeNull();
    const perDay = await contactsPerDay(stack.t.db, WS, 14);
    expect((await tableRows(page, 'contacts')).map((r) => [r[0], Number(r[1])])).toEqual(perDay.map((d) => [d.day, d.count]));
    // By queue and by team: the same numbers as the repository's breakdown, slice by slice.
    for (const by of ['queue', 'team'] as const) {
      const b = await contactsPerDayBy(stack.t.db, WS, by, 14);
      expect(b.slices.length).toBeGreaterThan(0);
      expect(await page.$(`svg[data-chart=by-${by}]`)).not.toBeNull();
      expect((await tableRows(page, `by-${by}`)).map((r) => [r[0], ...r.slice(1).map(Number)])).toEqual(b.days.map((d) => [d.day, ...d.counts]));
    }
    const frt = await firstResponsePerDay(stack.t.db, WS, 14);
    expect((await tableRows(page, 'frt')).map((r) => [r[0], Number(r[1]), r[2] === '' ? null : Number(r[2]), r[3] === '' ? null : Number(r[3])])).toEqual(
      frt.map((d) => [d.day, d.responded, d.median, d.p90]),
    );
    expect(frt.some((d) => d.median !== null)).toBe(true);
    const states = await agentsByState(stack.t.db, WS);
    expect(states.length).toBeGreaterThan(0);
    expect((await tableRows(page, 'agents')).map((r) => [r[0], Number(r[1])])).toEqual(states.map((s) => [s.state, s.count]));
    // Zero days are named in words, as the CLI's verify does.
    const zero = perDay.find((d) => d.count === 0);
    if (zero) expect(await text(page, '[role=alert]')).toContain(`${zero.day}: 0 contacts, zero`);
    expect(await axeViolations(page)).toEqual([]);
    const reachable = await tabOrder(page);
    expect(new Set(reachable)).toEqual(new Set(await controls(page)));
    if (screenshots) await page.screenshot({ path: 'docs/console-verify.png', fullPage: true });
  });

  it("a customer's admin who completes OAuth sees their own card and nothing else", async () => {
    const context = await browser.createBrowserContext();
    try {
      const admin = await context.newPage();
      await admin.goto(`${server.url}/oauth/start?workspace=${OTHER}&link=${await server.link()}`);
      await admin.waitForSelector(`#ws-${OTHER}`, { timeout: 30_000 });
      const body = (await text(admin, 'main')) ?? '';
      expect(body).toContain('Other Co');
      expect(body).not.toContain('Console Co');
      expect(await admin.$('form[action*="/pause"]')).toBeNull();
      const json = (await admin.evaluate(`fetch('/console/status.json').then((r) => r.json())`)) as { cards: Array<{ id: string }> };
      expect(json.cards.map((c) => c.id)).toEqual([OTHER]);
      await admin.goto(`${server.url}/console/workspaces/${WS}/verify`);
      expect(new URL(admin.url()).pathname).toBe('/console/login');
    } finally {
      await context.close();
    }
  });

  it('disconnects only after its confirmation', async () => {
    await page.goto(`${server.url}/console`);
    await Promise.all([page.waitForNavigation(), page.click(`form[action="/console/workspaces/${WS}/disconnect"] button`)]);
    expect(await text(page, 'h1')).toBe('Disconnect Console Co?');
    expect(await dbStatus(stack, WS)).not.toBe('Disconnected');
    await Promise.all([page.waitForNavigation(), page.click('button.danger')]);
    await waitFor('the card to read Disconnected', async () => (await dbStatus(stack, WS)) === 'Disconnected' && (await text(page, `#ws-${WS} [data-field=status]`)) === 'Disconnected');
  });
});
