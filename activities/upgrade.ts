import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import { isIntercomError } from '../src/intercom/client';
import { toTicketRow } from '../src/mapping/ticket';
import { ticketTimeProblem } from '../src/mapping/clean';
import { MAPPING_VERSION } from '../src/mapping/ticket';
import { markTicketsDeleted, staleMapping } from '../src/repositories/tickets';
import { recordSyncError } from '../src/repositories/syncErrors';
import type { ActivityDeps } from './deps';
import { withWorkspaceClient } from './credentials';
import { toActivityFailure } from './failures';
import { writeTickets } from './ticketWrites';

/** Stale tickets refetched per run at most (one detail request each): a default tick's worth of extra work. */
export const UPGRADE_ROWS_PER_RUN = 300;

export interface RefetchStaleInput {
  workspaceId: string;
  /** Keyset position: rows strictly older (created_at, conversation_id) than this are next; null = from the newest. */
  after: { createdAtMs: number; conversationId: string } | null;
  limit?: number;
}

export interface RefetchStaleResult {
  after: { createdAtMs: number; conversationId: string } | null;
  refetched: number;
  missing: number;
  failed: number;
  /** Stale rows left after this run (deleted ones aside). */
  remaining: number;
  requests: number;
}

export function createUpgradeActivities(deps: ActivityDeps) {
  return {
    /** How many rows an older mapping wrote (a count query; no request to Intercom). */
    async countStaleMapping(input: { workspaceId: string }): Promise<number> {
      try {
        return (await staleMapping(deps.db, input.workspaceId)).stale;
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * The upgrade refetch: rows written by an older mapping (mapping_version below the current
     * one) are fetched again, newest created_at first, `limit` per run, and rewritten (the upsert
     * rewrites a row whose mapping_version differs even though Intercom's updated_at is unchanged).
     * A 404 marks the row deleted. A row whose answer breaks the contract is recorded in
     * sync_errors and passed over: the keyset position moves past it, so it cannot block the rest.
     * Every request goes through the workspace's rate limiter like any other.
     */
    async refetchStaleTickets(input: RefetchStaleInput): Promise<RefetchStaleResult> {
      const ctx = Context.current();
      const limit = Math.max(1, input.limit ?? UPGRADE_ROWS_PER_RUN);
      try {
        return await withWorkspaceClient(deps, input.workspaceId, async (client) => {
          const sentBefore = client.requestsSent;
          let q = deps.db
            .selectFrom('tickets')
            .select(['conversation_id', 'created_at'])
            .where('workspace_id', '=', input.workspaceId)
            .where('deleted_at', 'is', null)
            .where('mapping_version', '<', MAPPING_VERSION);
          if (input.after) {
            const at = new Date(input.after.createdAtMs).toISOString();
            q = q.where(sql<boolean>`(created_at, conversation_id) < (${at}::timestamptz, ${input.after.conversationId})`);
          }
          const rows = await q.orderBy('created_at', 'desc').orderBy('conversation_id', 'desc').limit(limit).execute();
          let refetched = 0;
          let missing = 0;
          let failed = 0;
          for (const r of rows) {
            let conversation;
            try {
              conversation = await client.getConversation(r.conversation_id);
            } catch (err) {
              if (!isIntercomError(err) || (err.code !== 'contract_violation' && err.code !== 'response_too_large')) throw err;
              await recordSyncError(deps.db, input.workspaceId, r.conversation_id, err.message, 1);
              failed += 1;
              continue;
            }
            if (!conversation) {
              await markTicketsDeleted(deps.db, input.workspaceId, [{ conversationId: r.conversation_id, deletedAt: new Date() }]);
              missing += 1;
              continue;
            }
            const syncedAt = new Date();
            const row = toTicketRow(input.workspaceId, conversation, syncedAt);
            if (ticketTimeProblem(row, syncedAt.getTime()) !== null) {
              failed += 1;
              continue;
            }
            const written = await writeTickets(deps.db, input.workspaceId, [row]);
            refetched += written.stored.length;
            failed += written.rejected.length;
            ctx.heartbeat({ refetched });
          }
          const last = rows.at(-1);
          const after = last ? { createdAtMs: last.created_at.getTime(), conversationId: last.conversation_id } : input.after;
          const remaining = (await staleMapping(deps.db, input.workspaceId)).stale;
          return { after: rows.length < limit ? null : after, refetched, missing, failed, remaining, requests: client.requestsSent - sentBefore };
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
