import { CancellationScope, condition } from '@temporalio/workflow';
import type { CatalogResult } from '../../activities/types';
import { Job, type NextTurn } from './job';

/**
 * Teams, tags and admins (GET /teams, /tags, /admins): at the start, after a resync request, and
 * again at the next default tick after a failure. v2: it runs beside the loops in its own scope (a
 * catalog stuck in retries holds nothing else up); before, the loop awaited it.
 */
export class CatalogJob extends Job {
  private scope: CancellationScope | null = null;
  private running = false;

  async turn(): Promise<'ok' | 'interrupted'> {
    const { s, patches } = this.ctx;
    // A catalog that failed runs again at the next default tick.
    if (patches.v2 && s.jobs.catalog.lastError !== null && !this.running && Date.now() >= s.nextDefaultAt) s.catalogDue = true;
    if (!s.catalogDue) return 'ok';
    if (patches.v2) {
      this.start();
    } else {
      s.catalogDue = false;
      await this.sync();
    }
    return 'ok';
  }

  override nextTurn(): NextTurn {
    return { ready: () => this.ctx.s.catalogDue && !this.running, at: Infinity };
  }

  private sync(): Promise<CatalogResult | null> {
    const { s, workspaceId, acts, run } = this.ctx;
    return run.runJob(
      s.jobs.catalog,
      () => acts.quick.syncCatalog.executeWithOptions({ summary: 'catalog: teams, tags, admins' }, [{ workspaceId }]),
      (r) => `${r.agents} agents, ${r.teams} teams, ${r.queues} queues`,
    );
  }

  private start(): void {
    if (this.running) return;
    const { s } = this.ctx;
    s.catalogDue = false;
    this.running = true;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => this.sync())
      .catch(() => {
        // Cancelled by a pause, a reauthorization or a disconnect: it runs again when work resumes.
        s.catalogDue = true;
      })
      .finally(() => {
        this.running = false;
      });
  }

  override cancel(): void {
    if (this.running) this.scope?.cancel();
  }

  override async stop(): Promise<void> {
    if (!this.running || !this.scope) return;
    this.scope.cancel();
    await condition(() => !this.running);
  }

  override async handOver(): Promise<void> {
    if (!this.running) return;
    await this.stop();
    this.ctx.s.catalogDue = true;
  }
}
