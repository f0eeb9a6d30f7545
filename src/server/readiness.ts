import { sql } from 'kysely';
import type { ConnectionLike } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { ReadinessCheck } from './health';

export function postgresReady(db: Db): ReadinessCheck {
  return { name: 'postgres', check: async () => void (await sql`select 1`.execute(db)) };
}

/** GetSystemInfo is allowed on every Temporal deployment (Cloud included) and touches no namespace data. */
export function temporalReady(connection: ConnectionLike, timeoutMs = 2_000): ReadinessCheck {
  return {
    name: 'temporal',
    check: async () => void (await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}))),
  };
}
