import type { Rng } from './random';
import type { WorkspaceState } from './workspace';

export const DEFAULT_LIVE_INTERVAL_MS = 5000;

/**
 * Live mode: on every tick each workspace gets a new conversation, an update to an existing one, and one admin's
 * away mode flipped, so that with the default 8 admins each one toggles roughly every 40 s.
 */
export class LiveMode {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly workspaces: () => Iterable<WorkspaceState>,
    private readonly rng: Rng,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(intervalMs = DEFAULT_LIVE_INTERVAL_MS): void {
    this.stop();
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
    }
  }
}
