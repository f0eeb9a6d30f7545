import type { Migration } from 'kysely';
import * as m20261125T2100 from './20261125T2100_initial';
import * as m20261125T2200 from './20261125T2200_workspace_gates';
import * as m20261126T0900 from './20261126T0900_rate_limit_carry';
import * as m20261126T1000 from './20261126T1000_sync_errors';
import * as m20261129T0600 from './20261129T0600_connect_links';
import * as m20261129T0700 from './20261129T0700_attribution';
import * as m20261129T0800 from './20261129T0800_workspace_errors';
import * as m20261129T0900 from './20261129T0900_workspace_wakes';
import * as m20261129T1000 from './20261129T1000_console_progress';
import * as m20261129T1200 from './20261129T1200_reconciliation_requests';
import * as m20261129T1100 from './20261129T1100_agent_poll_leases';
import * as m20261129T1300 from './20261129T1300_mirror_order';

// Listed statically (not read from disk) so migrations run the same under tsx, jest and a bundle.
export const migrations: Record<string, Migration> = {
  '20261125T2100_initial': m20261125T2100,
  '20261125T2200_workspace_gates': m20261125T2200,
  '20261126T0900_rate_limit_carry': m20261126T0900,
  '20261126T1000_sync_errors': m20261126T1000,
  '20261129T0600_connect_links': m20261129T0600,
  '20261129T0700_attribution': m20261129T0700,
  '20261129T0800_workspace_errors': m20261129T0800,
  '20261129T0900_workspace_wakes': m20261129T0900,
  '20261129T1000_console_progress': m20261129T1000,
  '20261129T1200_reconciliation_requests': m20261129T1200,
  '20261129T1100_agent_poll_leases': m20261129T1100,
  '20261129T1300_mirror_order': m20261129T1300,
};
