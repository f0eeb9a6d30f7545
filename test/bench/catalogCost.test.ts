import { catalogAndReconciliation, requestsByKind, steadyShare, total } from '../../scripts/bench/catalogCost';
import { judge } from '../../scripts/bench/goals';
import type { SimStats } from '../../testkit/simulator';

const stats = (byEndpoint: Record<string, number>, extra = 0): SimStats => ({
  requests: Object.values(byEndpoint).reduce((a, b) => a + b, 0) + extra,
  requests429: 0,
  byEndpoint,
  byWorkspace: {},
  conversationFetches: {},
  searchPagesRepeated: 0,
});

describe('fleet bench: catalog and reconciliation cost', () => {
  it('splits requests by kind, reconciliation searches out of search, the rest as other', () => {
    const before = stats({ 'GET /admins': 10, 'POST /conversations/search': 5, 'GET /teams': 1 });
    const after = stats({ 'GET /admins': 250, 'POST /conversations/search': 40, 'GET /teams': 2, 'GET /tags': 1, 'GET /conversations/{id}': 7, 'GET /me': 3 }, 2);
    const k = requestsByKind(after, before, 4);
    expect(k).toEqual({ admins: 240, search: 31, reconciliation_search: 4, conversation_detail: 7, teams: 1, tags: 1, deleted_list: 0, other: 5 });
    expect(total(k)).toBe(after.requests - before.requests);
    expect(catalogAndReconciliation(k)).toBe(6);
  });

  it('builds the steady share at the real cadences: scheduled reads in, quick-cadence searches scaled down, details out', () => {
    const steady = requestsByKind(stats({ 'GET /admins': 2 * 240, 'POST /conversations/search': 2 * 60, 'GET /conversations/{id}': 500 }), null, 0);
    // Two workspaces over an hour, each ran the default loop 60 times (a 60-s quick cadence).
    const s = steadyShare({ steady, workspaces: 2, steadyHours: 1, defaultRunsPerWorkspace: 60, realDefaultRunsPerHour: 12, catalogScheduledPerHour: 1 / 3, deletedListScheduledPerHour: 1 });
    expect(s.admins).toBe(240);
    expect(s.defaultSearch).toBe(12);
    expect(s.catalog).toBeCloseTo(1 / 3);
    expect(s.total).toBeCloseTo(253 + 1 / 3);
    expect(s.sharePct).toBeCloseTo((100 * (1 / 3)) / (253 + 1 / 3), 6);
    // The former hourly refresh misses the 0.5 % bar, the six-hour one meets it.
    const hourly = steadyShare({ steady, workspaces: 2, steadyHours: 1, defaultRunsPerWorkspace: 60, realDefaultRunsPerHour: 12, catalogScheduledPerHour: 2, deletedListScheduledPerHour: 1 });
    const goal = { key: 'catalog_reconciliation_share_pct', op: '<=' as const, target: 0.5 };
    expect(judge({ catalog_reconciliation_share_pct: hourly.sharePct }, goal).pass).toBe(false);
    expect(judge({ catalog_reconciliation_share_pct: s.sharePct }, goal).pass).toBe(true);
  });

  it('an empty steady period gives no share, and the goal fails on it', () => {
    const s = steadyShare({ steady: requestsByKind(stats({}), null, 0), workspaces: 2, steadyHours: 0, defaultRunsPerWorkspace: 0, realDefaultRunsPerHour: 12, catalogScheduledPerHour: 1 / 3, deletedListScheduledPerHour: 1 });
    expect(s.sharePct).toBeNull();
    const r = judge({ catalog_reconciliation_share_pct: s.sharePct }, { key: 'catalog_reconciliation_share_pct', op: '<=', target: 0.5 });
    expect(r).toMatchObject({ pass: false, reason: expect.stringMatching(/not measured/) });
    expect(judge({}, { key: 'catalog_reconciliation_share_pct', op: '<=', target: 0.5 }).pass).toBe(false);
  });
});
