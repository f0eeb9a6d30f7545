import { PART_CAP } from './workspace';
import type { Rng } from './random';
import type { LiveChurn } from './types';
import type { WorkspaceState } from './workspace';

export const DEFAULT_LIVE_INTERVAL_MS = 5000;

/** No churn: live mode as benchmarks and tests that count rows expect it. */
export const NO_CHURN: LiveChurn = { retag: 0, reassign: 0, hireAdmin: 0, removeAdmin: 0, createTag: 0, deleteConversation: 0, truncate: 0 };

/**
 * A churn that shows every kind of change within minutes at the default 5-s tick (the standalone
 * simulator uses it): retags and reassignments often, a hire or a new tag every few minutes, a
 * removal, a deletion or a conversation pushed past 500 parts now and then.
 */
export const DEMO_CHURN: LiveChurn = { retag: 0.3, reassign: 0.3, hireAdmin: 0.02, removeAdmin: 0.01, createTag: 0.02, deleteConversation: 0.02, truncate: 0.01 };

/**
 * Live mode: on every tick each workspace gets a new conversation, an update to an existing one, and one admin's
 * away mode flipped, so that with the default 8 admins each one toggles roughly every 40 s. With churn, each
 * workspace may also see a retag, a reassignment, a hire, a removal, a new tag, a deletion or a truncation.
 */
export class LiveMode {
  private timer: NodeJS.Timeout | null = null;
  private churn: LiveChurn = NO_CHURN;

  constructor(
    private readonly workspaces: () => Iterable<WorkspaceState>,
    private readonly rng: Rng,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(intervalMs = DEFAULT_LIVE_INTERVAL_MS, churn: Partial<LiveChurn> = {}): void {
    this.stop();
    for (const [k, v] of Object.entries(churn)) {
      if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`live churn ${k} must be in [0, 1], got ${String(v)}`);
    }
    this.churn = { ...NO_CHURN, ...churn };
    this.timer = setInterval(() => this.tick(), intervalMs);
    // Live mode must never keep a test or a script alive on its own.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  tick(): void {
    for (const ws of this.workspaces()) {
      const existing = ws.randomConversationId(this.rng);
      ws.createConversation();
      if (existing !== undefined) ws.updateConversation(existing);
      const admins = ws.directory.admins;
      if (admins.length > 0) {
        const admin = admins[this.rng.int(0, admins.length - 1)];
        if (admin !== undefined) ws.setAway(admin.id, !admin.away_mode_enabled, this.rng.chance(0.3));
      }
      this.churnTick(ws);
    }
  }

  private churnTick(ws: WorkspaceState): void {
    const c = this.churn;
    const rng = this.rng;
    const dir = ws.directory;
    const pickId = <T extends { id: string }>(list: readonly T[]): string | undefined => (list.length === 0 ? undefined : list[rng.int(0, list.length - 1)]?.id);
    if (c.createTag > 0 && rng.chance(c.createTag)) ws.createTag();
    if (c.hireAdmin > 0 && rng.chance(c.hireAdmin)) {
      const team = pickId(dir.teams);
      ws.hireAdmin({ teamIds: team === undefined ? [] : [team] });
    }
    if (c.removeAdmin > 0 && dir.admins.length > 1 && rng.chance(c.removeAdmin)) {
      const admin = pickId(dir.admins);
      if (admin !== undefined) ws.removeAdmin(admin);
    }
    if (c.retag > 0 && rng.chance(c.retag)) {
      const id = ws.randomConversationId(rng);
      if (id !== undefined) ws.retag(id, dir.tags.filter(() => rng.chance(0.3)).map((t) => t.id));
    }
    if (c.reassign > 0 && rng.chance(c.reassign)) {
      const id = ws.randomConversationId(rng);
      if (id !== undefined) ws.reassign(id, { adminId: rng.chance(0.15) ? null : (pickId(dir.admins) ?? null), teamId: rng.chance(0.5) ? (pickId(dir.teams) ?? null) : undefined });
    }
    if (c.truncate > 0 && rng.chance(c.truncate)) {
      const id = ws.randomConversationId(rng);
      const rec = id === undefined ? undefined : ws.record(id);
      if (rec !== undefined && rec.parts.length <= PART_CAP) ws.addParts(rec.id, PART_CAP + 1 - rec.parts.length + rng.int(0, 50));
    }
    if (c.deleteConversation > 0 && ws.size > 1 && rng.chance(c.deleteConversation)) {
      const id = ws.randomConversationId(rng);
      if (id !== undefined) ws.deleteConversation(id);
    }
  }
}
