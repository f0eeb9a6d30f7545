import { mixSeed, Rng } from './random';
import type { SimAdmin, SimAuthor, SimTag, SimTeam, SimWorkspaceSpec } from './types';
import { FIRST_NAMES, JOB_TITLES, LAST_NAMES, TAG_NAMES, TEAM_NAMES } from './vocab';

/**
 * A workspace's people and id allocators. Id ranges are derived from the workspace's index so that ids are unique
 * across workspaces while each workspace's data depends only on (seed, index, spec).
 */
export class Directory {
  readonly admins: SimAdmin[] = [];
  readonly teams: SimTeam[] = [];
  readonly tags: SimTag[] = [];
  /** Author objects are immutable and shared by every part they wrote. */
  readonly adminAuthors: SimAuthor[] = [];
  readonly operatorBot: SimAuthor;
  readonly aiBot: SimAuthor;
  private conversationCounter: number;
  private partCounter: number;
  private sourceCounter: number;
  /** How many admins, teams and tags were ever created: ids stay unique after removals. */
  private admins_ = 0;
  private teams_ = 0;
  private tags_ = 0;
  private readonly domain: string;

  constructor(readonly spec: SimWorkspaceSpec, readonly index: number, seed: number) {
    const rng = new Rng(mixSeed(seed, index, 0xd1));
    const domain = `${spec.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`;
    this.domain = domain;
    const adminCount = spec.admins ?? 8;
    const teamCount = spec.teams ?? 3;
    const tagCount = spec.tags ?? 5;
    for (let k = 0; k < teamCount; k++) {
      const base = TEAM_NAMES[k % TEAM_NAMES.length] ?? 'Team';
      const name = k < TEAM_NAMES.length ? base : `${base} ${Math.floor(k / TEAM_NAMES.length) + 1}`;
      this.teams.push({
        type: 'team',
        id: String(7_000_000 + index * 1000 + k),
        name,
        admin_ids: [],
        admin_priority_level: { primary_admin_ids: [], secondary_admin_ids: [] },
      });
    }
    this.teams_ = teamCount;
    for (let k = 0; k < adminCount; k++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      const id = String(4_000_000 + index * 1000 + k);
      const teamIds: number[] = [];
      for (const team of this.teams) {
        if (rng.chance(0.5) || (teamIds.length === 0 && team === this.teams[this.teams.length - 1])) {
          teamIds.push(Number(team.id));
          team.admin_ids.push(Number(id));
          team.admin_priority_level.primary_admin_ids.push(Number(id));
        }
      }
      const admin: SimAdmin = {
        type: 'admin',
        id,
        name: `${first} ${last}`,
        email: `${first.toLowerCase()}.${last.toLowerCase()}.${k}@${domain}`,
        email_verified: true,
        job_title: rng.pick(JOB_TITLES),
        away_mode_enabled: rng.chance(0.25),
        away_mode_reassign: rng.chance(0.3),
        away_status_reason_id: null,
        has_inbox_seat: k === 0 || rng.chance(0.9),
        team_ids: teamIds,
        avatar: { type: 'avatar', image_url: `https://static.intercomassets.com/avatars/${id}/square_128/avatar.png` },
        team_priority_level: { primary_team_ids: [...teamIds], secondary_team_ids: [] },
      };
      this.admins.push(admin);
      this.adminAuthors.push({ type: 'admin', id, name: admin.name, email: admin.email, from_ai_agent: false, is_ai_answer: false });
    }
    this.admins_ = adminCount;
    for (let k = 0; k < tagCount; k++) {
      const base = TAG_NAMES[k % TAG_NAMES.length] ?? 'tag';
      this.tags.push({ type: 'tag', id: String(8_000_000 + index * 1000 + k), name: k < TAG_NAMES.length ? base : `${base}-${k}` });
    }
    this.tags_ = tagCount;
    const botId = 9_000_000 + index * 10;
    this.operatorBot = { type: 'bot', id: String(botId + 1), name: 'Operator', email: `operator+${spec.id}@intercom.io`, from_ai_agent: false, is_ai_answer: false };
    this.aiBot = { type: 'bot', id: String(botId + 2), name: 'Fin', email: `fin+${spec.id}@intercom.io`, from_ai_agent: true, is_ai_answer: true };
    this.conversationCounter = (index + 1) * 1_000_000_000 + 100_000_000;
    this.partCounter = (index + 1) * 1_000_000_000_000;
    this.sourceCounter = (index + 1) * 1_000_000_000 + 500_000_000;
  }

  /** Increasing, not consecutive, like Intercom's. */
  nextConversationId(rng: Rng): number {
    this.conversationCounter += rng.int(1, 9);
    return this.conversationCounter;
  }

  nextPartId(): number {
    this.partCounter += 1;
    return this.partCounter;
  }

  nextSourceId(): string {
    this.sourceCounter += 1;
    return String(this.sourceCounter);
  }

  /** A new admin (available, in the given teams). */
  addAdmin(name: string, teamIds: readonly string[]): SimAdmin {
    const k = this.admins_++;
    const id = String(4_000_000 + this.index * 1000 + k);
    const teams = teamIds.map((t) => this.mustTeam(t));
    const admin: SimAdmin = {
      type: 'admin',
      id,
      name,
      email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${k}@${this.domain}`,
      email_verified: true,
      job_title: 'Support Specialist',
      away_mode_enabled: false,
      away_mode_reassign: false,
      away_status_reason_id: null,
      has_inbox_seat: true,
      team_ids: teams.map((t) => Number(t.id)),
      avatar: { type: 'avatar', image_url: null },
      team_priority_level: { primary_team_ids: teams.map((t) => Number(t.id)), secondary_team_ids: [] },
    };
    for (const team of teams) {
      team.admin_ids.push(Number(id));
      team.admin_priority_level.primary_admin_ids.push(Number(id));
    }
    this.admins.push(admin);
    this.adminAuthors.push({ type: 'admin', id, name: admin.name, email: admin.email, from_ai_agent: false, is_ai_answer: false });
    return admin;
  }

  /** The admin leaves every team and the lists; parts they wrote keep their author object. */
  removeAdmin(adminId: string): void {
    const i = this.admins.findIndex((a) => a.id === adminId);
    if (i < 0) throw new Error(`workspace ${this.spec.id} has no admin ${adminId}`);
    if (this.admins.length === 1) throw new Error(`workspace ${this.spec.id} needs at least one admin`);
    this.admins.splice(i, 1);
    const j = this.adminAuthors.findIndex((a) => a.id === adminId);
    if (j >= 0) this.adminAuthors.splice(j, 1);
    const n = Number(adminId);
    for (const team of this.teams) {
      team.admin_ids = team.admin_ids.filter((x) => x !== n);
      team.admin_priority_level.primary_admin_ids = team.admin_priority_level.primary_admin_ids.filter((x) => x !== n);
      team.admin_priority_level.secondary_admin_ids = team.admin_priority_level.secondary_admin_ids.filter((x) => x !== n);
    }
  }

  addTag(name: string): SimTag {
    const tag: SimTag = { type: 'tag', id: String(8_000_000 + this.index * 1000 + this.tags_++), name };
    this.tags.push(tag);
    return tag;
  }

  removeTag(tagId: string): void {
    const i = this.tags.findIndex((t) => t.id === tagId);
    if (i < 0) throw new Error(`workspace ${this.spec.id} has no tag ${tagId}`);
    this.tags.splice(i, 1);
  }

  addTeam(name: string): SimTeam {
    const team: SimTeam = {
      type: 'team',
      id: String(7_000_000 + this.index * 1000 + this.teams_++),
      name,
      admin_ids: [],
      admin_priority_level: { primary_admin_ids: [], secondary_admin_ids: [] },
    };
    this.teams.push(team);
    return team;
  }

  mustTeam(teamId: string): SimTeam {
    const team = this.teams.find((t) => t.id === teamId);
    if (team === undefined) throw new Error(`workspace ${this.spec.id} has no team ${teamId}`);
    return team;
  }

  mustTag(tagId: string): SimTag {
    const tag = this.tags.find((t) => t.id === tagId);
    if (tag === undefined) throw new Error(`workspace ${this.spec.id} has no tag ${tagId}`);
    return tag;
  }

  adminAuthor(k: number): SimAuthor {
    const a = this.adminAuthors[k % this.adminAuthors.length];
    if (a === undefined) throw new Error(`workspace ${this.spec.id} has no admins`);
    return a;
  }
}
