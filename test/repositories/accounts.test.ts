import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { deleteCredentials, loadCredentials, saveCredentials } from '../../src/repositories/credentials';
import { consumeOAuthState, createOAuthState } from '../../src/repositories/oauthStates';
import { getWorkspace, listWorkspaces, setWorkspaceStatus, upsertWorkspace, writeStatusMirror } from '../../src/repositories/workspaces';
import { createTestDb, type TestDb } from '../helpers/db';
import { waitFor } from '../helpers/stack';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.destroy());

describe('workspaces', () => {
  it('a re-connect keeps the first connection time and the status; name and region follow Intercom', async () => {
    const first = await upsertWorkspace(t.db, { id: 'ws-b', name: 'One', region: 'us', status: 'Connected', connectedAt: new Date('2026-01-01T00:00:00Z') });
    expect(first).toMatchObject({ id: 'ws-b', name: 'One', region: 'us', status: 'Connected', connected_at: new Date('2026-01-01T00:00:00Z') });
    await setWorkspaceStatus(t.db, 'ws-b', 'Synced');
    const again = await upsertWorkspace(t.db, { id: 'ws-b', name: 'One renamed', region: 'eu', status: 'Connected', connectedAt: new Date('2026-06-01T00:00:00Z') });
    expect(again).toMatchObject({ name: 'One renamed', region: 'eu', status: 'Synced', connected_at: new Date('2026-01-01T00:00:00Z') });
    expect(await getWorkspace(t.db, 'ws-b')).toEqual(again);
  });

  it('status can be set; unknown workspaces are reported', async () => {
    await upsertWorkspace(t.db, { id: 'ws-a', name: 'A', region: 'au', status: 'Connected', connectedAt: new Date() });
    expect(await setWorkspaceStatus(t.db, 'ws-a', 'Sync in progress')).toBe(true);
    expect((await getWorkspace(t.db, 'ws-a'))?.status).toBe('Sync in progress');
    expect(await setWorkspaceStatus(t.db, 'nope', 'Synced')).toBe(false);
    expect(await getWorkspace(t.db, 'nope')).toBeUndefined();
  });

  it('are listed by id', async () => {
    expect((await listWorkspaces(t.db)).map((w) => w.id)).toEqual(['ws-a', 'ws-b']);
  });

  it('a status-mirror write older than the last applied changes nothing, gate included', async () => {
    await upsertWorkspace(t.db, { id: 'ws-order', name: 'Order', region: 'us', status: 'Connected', connectedAt: new Date() });
    const gate = async () => (await t.db.selectFrom('workspace_gates').select('blocked_reason').where('workspace_id', '=', 'ws-order').executeTakeFirst())?.blocked_reason;
    expect(await writeStatusMirror(t.db, 'ws-order', { status: 'Paused', gateReason: 'paused', asOfMs: 2_000 })).toBe(true);
    // A timed-out attempt of the earlier "Synced" write, finishing after the pause landed.
    expect(await writeStatusMirror(t.db, 'ws-order', { status: 'Synced', gateReason: null, asOfMs: 1_000, error: { lastError: null, errorClass: null } })).toBe(false);
    expect((await getWorkspace(t.db, 'ws-order'))?.status).toBe('Paused');
    expect(await gate()).toBe('paused');
    // A retry of the same write, and a newer one, land.
    expect(await writeStatusMirror(t.db, 'ws-order', { status: 'Paused', gateReason: 'paused', asOfMs: 2_000 })).toBe(true);
    expect(await writeStatusMirror(t.db, 'ws-order', { status: 'Synced', gateReason: null, asOfMs: 3_000, backfill: { percent: 100, stored: 7, etaSeconds: null } })).toBe(true);
    expect(await getWorkspace(t.db, 'ws-order')).toMatchObject({ status: 'Synced', backfill_stored: 7 });
    expect(await gate()).toBeNull();
  });
});

describe('credentials', () => {
  beforeAll(async () => {
    await upsertWorkspace(t.db, { id: 'ws-c', name: 'C', region: 'us', status: 'Connected', connectedAt: new Date() });
  });

  it('are saved, replaced (updated_at moves) and deleted', async () => {
    const one = randomBytes(40);
    await saveCredentials(t.db, 'ws-c', one, 'k1');
    const saved = await loadCredentials(t.db, 'ws-c');
    expect(saved).toMatchObject({ workspace_id: 'ws-c', key_id: 'k1' });
    expect(saved?.token_encrypted.equals(one)).toBe(true);

    const two = randomBytes(40);
    await saveCredentials(t.db, 'ws-c', two, 'k2');
    const replaced = await loadCredentials(t.db, 'ws-c');
    expect(replaced?.token_encrypted.equals(two)).toBe(true);
    expect(replaced?.key_id).toBe('k2');
    expect(replaced?.created_at).toEqual(saved?.created_at);
    expect(replaced!.updated_at.getTime()).toBeGreaterThan(saved!.updated_at.getTime());

    expect(await deleteCredentials(t.db, 'ws-c')).toBe(true);
    expect(await loadCredentials(t.db, 'ws-c')).toBeUndefined();
    expect(await deleteCredentials(t.db, 'ws-c')).toBe(false);
  });

  it('a re-authorization inside one transaction is still visible as newer', async () => {
    await saveCredentials(t.db, 'ws-c', randomBytes(40), 'k1');
    const before = await loadCredentials(t.db, 'ws-c');
    await t.db.transaction().execute(async (trx) => {
      await saveCredentials(trx, 'ws-c', randomBytes(40), 'k1');
    });
    expect((await loadCredentials(t.db, 'ws-c'))!.updated_at.getTime()).toBeGreaterThan(before!.updated_at.getTime());
  });
});

describe('OAuth states', () => {
  it('are random and url-safe', async () => {
    const a = await createOAuthState(t.db, 60_000);
    const b = await createOAuthState(t.db, 60_000);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('work once', async () => {
    const state = await createOAuthState(t.db, 60_000);
    expect(await consumeOAuthState(t.db, state)).toBe('ok');
    expect(await consumeOAuthState(t.db, state)).toBe('reused');
  });

  it('work once even for concurrent callbacks', async () => {
    for (let round = 0; round < 5; round++) {
      const state = await createOAuthState(t.db, 60_000);
      const verdicts = await Promise.all(Array.from({ length: 8 }, () => consumeOAuthState(t.db, state)));
      expect(verdicts.filter((v) => v === 'ok')).toHaveLength(1);
      expect(verdicts.filter((v) => v === 'reused')).toHaveLength(7);
    }
  });

  it('expire', async () => {
    const expired = await createOAuthState(t.db, -1);
    expect(await consumeOAuthState(t.db, expired)).toBe('expired');
    const soon = await createOAuthState(t.db, 300);
    // Poll Postgres's clock (the one expiry is judged by) until the state's time is up.
    await waitFor('the state to expire', async () => {
      const r = await sql<{ over: boolean }>`select expires_at <= now() as over from oauth_states where state = ${soon}`.execute(t.db);
      return r.rows[0]?.over === true;
    }, 10_000, 50);
    expect(await consumeOAuthState(t.db, soon)).toBe('expired');
    // Still expired afterwards: an expired state is never claimed.
    expect(await consumeOAuthState(t.db, soon)).toBe('expired');
  });

  it('unknown states are reported as such', async () => {
    expect(await consumeOAuthState(t.db, 'nope')).toBe('unknown');
    expect(await consumeOAuthState(t.db, '')).toBe('unknown');
  });

  it('long-expired states are purged when new ones are created', async () => {
    const old = await createOAuthState(t.db, 60_000);
    await t.db.updateTable('oauth_states').set({ expires_at: sql<Date>`now() - interval '2 days'` }).where('state', '=', old).execute();
    await createOAuthState(t.db, 60_000);
    expect(await consumeOAuthState(t.db, old)).toBe('unknown');
  });
});
