import { toAgentRow, toAgentState } from '../../src/mapping/agent';
import { toQueueRow, toTeamRow } from '../../src/mapping/catalog';
import { adminSchema, tagSchema, teamSchema } from '../../src/intercom/schemas';

describe('agents', () => {
  const admin = adminSchema.parse({ type: 'admin', id: 7, name: 'Ana', email: 'ana@corp.test', away_mode_enabled: true, away_mode_reassign: true, team_ids: [3, 4] });
  const at = new Date(1_000);

  it('every agent is standard, with team ids as strings', () => {
    expect(toAgentRow('ws', admin, at)).toEqual({ workspace_id: 'ws', admin_id: '7', name: 'Ana', email: 'ana@corp.test', role: 'standard', team_ids: ['3', '4'], synced_at: at });
    expect(toAgentRow('ws', { id: '8', away_mode_enabled: false }, at)).toMatchObject({ name: null, email: null, role: 'standard', team_ids: [] });
  });

  it('away mode on means away; the reassign flag is kept', () => {
    expect(toAgentState(admin)).toEqual({ adminId: '7', state: 'away', reassign: true });
    expect(toAgentState({ ...admin, away_mode_reassign: false })).toEqual({ adminId: '7', state: 'away', reassign: false });
    expect(toAgentState({ ...admin, away_mode_enabled: false, away_mode_reassign: null })).toEqual({ adminId: '7', state: 'available', reassign: false });
  });
});

describe('teams and queues', () => {
  const at = new Date(1_000);

  it('teams keep their admin ids as strings', () => {
    const team = teamSchema.parse({ type: 'team', id: 3, name: 'Tier 1', admin_ids: [7, 8] });
    expect(toTeamRow('ws', team, at)).toEqual({ workspace_id: 'ws', team_id: '3', name: 'Tier 1', admin_ids: ['7', '8'], synced_at: at });
    expect(toTeamRow('ws', { id: '4', name: 'Empty', admin_ids: null }, at).admin_ids).toEqual([]);
  });

  it('tags are queues', () => {
    expect(toQueueRow('ws', tagSchema.parse({ type: 'tag', id: 11, name: 'VIP' }), at)).toEqual({ workspace_id: 'ws', tag_id: '11', name: 'VIP', synced_at: at });
  });
});
