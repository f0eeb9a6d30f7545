import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps, createActivities } from '../../activities';
import type { SyncWindowInput } from '../../activities/types';
import type { Db } from '../../src/db/connection';
import type { IntercomHttp } from '../../src/intercom/client';
import { startSimulator, type Simulator } from '../../testkit/simulator';
import { connectedActivities } from '../../testkit/wiring';
import { createTestDb, type TestDb } from './db';

export interface SimulatorActivities {
  db: Db;
  sim: Simulator;
  http: IntercomHttp;
  acts: ReturnType<typeof createActivities>;
  /** What `acts` were made from, for a test that makes activities of its own with one dependency changed. */
  deps: ActivityDeps;
  /** A fresh activity context per run, with a heartbeat timeout no test comes near. */
  env(): MockActivityEnvironment;
  /** The window from the epoch to a minute from now: every conversation there is. */
  everything(): SyncWindowInput;
}

/**
 * The activities of one connected workspace against the simulator over HTTP, in a fresh database: set up before
 * the describe block's tests and torn down after them. The fields are filled in by its beforeAll.
 */
export function useSimulatorActivities(o: { workspaceId: string; name: string; seed: number; conversations: number; ratePerMinute?: number; connectedAt?: Date }): SimulatorActivities {
  let t: TestDb | undefined;
  const s = {
    env: () => new MockActivityEnvironment({ heartbeatTimeoutMs: 60_000 }),
    everything: () => ({ workspaceId: o.workspaceId, fromSec: 0, toSec: Math.ceil(Date.now() / 1000) + 60, force: false, resume: null }),
  } as SimulatorActivities;
  beforeAll(async () => {
    [t, s.sim] = await Promise.all([
      createTestDb(),
      startSimulator({ seed: o.seed, ratePerMinute: o.ratePerMinute ?? 10_000, workspaces: [{ id: o.workspaceId, name: o.name, region: 'us', conversations: o.conversations }] }),
    ]);
    s.db = t.db;
    ({ http: s.http, acts: s.acts, deps: s.deps } = await connectedActivities({ db: t.db, baseUrl: s.sim.baseUrl, workspaceId: o.workspaceId, name: o.name, connectedAt: o.connectedAt }));
  });
  afterAll(async () => {
    await s.http?.close();
    await s.sim?.stop();
    await t?.destroy();
  });
  return s;
}
