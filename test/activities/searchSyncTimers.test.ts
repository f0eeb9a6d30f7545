import { MockActivityEnvironment } from '@temporalio/testing';
import { syncSearch } from '../../activities/searchSync';
import type { Db } from '../../src/db/connection';
import type { IntercomClient } from '../../src/intercom/client';
import type { SearchQuery } from '../../src/intercom/schemas';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

// A heartbeat timer left running keeps the process alive for ever: in jest, a worker that "failed to exit".
describe('the window sync leaves no timer behind', () => {
  it('when its first database read fails (e.g. the pool is gone at shutdown)', async () => {
    const gone = new Proxy({}, {
      get() {
        throw new Error('the database pool is gone');
      },
    }) as Db;
    const client = { requestsSent: 0 } as unknown as IntercomClient;
    const before = timers();
    const run = new MockActivityEnvironment().run(syncSearch, {
      db: gone,
      client,
      workspaceId: 'ws-timer',
      query: { field: 'created_at', operator: '>', value: 0 } as SearchQuery,
      force: false,
      resume: null,
      detailConcurrency: 1,
      flushRows: 50,
    });
    await expect(run).rejects.toThrow('the database pool is gone');
    expect(timers()).toBe(before);
  });
});
