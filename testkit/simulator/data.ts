import { generateConversation } from './conversation';
import { Directory } from './directory';
import type { Profile } from './plan';
import { mixSeed, Rng } from './random';
import type { ConvRecord } from './record';
import type { SimWorkspaceSpec } from './types';

export const DATA_SPAN_SECONDS = Math.round(5.5 * 365.25 * 86_400);

export interface WorkspaceData {
  directory: Directory;
  /** Sorted by created_at, then id. */
  records: ConvRecord[];
}

/** How many conversations exceed the 500-part cap: ~1%, at least 2 once there are 100. */
export function hugeCount(n: number): number {
  return n >= 100 ? Math.max(2, Math.round(n * 0.01)) : 0;
}

/**
 * Builds a workspace's conversations, spread from 5.5 years before `nowMs` to a few minutes before it, denser
 * recently. Everything derives from (seed, index, spec, nowMs).
 */
export function generateWorkspace(spec: SimWorkspaceSpec, index: number, seed: number, nowMs: number): WorkspaceData {
  const directory = new Directory(spec, index, seed);
  const rng = new Rng(mixSeed(seed, index, 0xc0));
  const nowSec = Math.floor(nowMs / 1000);
  const n = spec.conversations;
  const minAge = rng.int(180, 600);
  const ages: number[] = [];
  for (let i = 0; i < n; i++) ages.push(minAge + Math.floor((DATA_SPAN_SECONDS - minAge) * rng.float() ** 1.7));
  // Pin both ends so even a small workspace spans more than five years.
  if (n >= 2) {
    ages[0] = DATA_SPAN_SECONDS - rng.int(0, 3600);
    ages[1] = minAge;
  }
  const created = ages.map((age) => nowSec - age).sort((a, b) => a - b);

  const huge = new Set<number>();
  const wantHuge = hugeCount(n);
  while (huge.size < wantHuge) huge.add(rng.int(0, n - 1));

  const records: ConvRecord[] = [];
  for (let i = 0; i < n; i++) {
    const createdAt = created[i] ?? nowSec;
    const profile = chooseProfile(rng, huge.has(i));
    // Parts stop at least 30 s before "now" so nothing is in the future.
    records.push(generateConversation(directory, rng, createdAt, nowSec - 30, profile));
  }
  return { directory, records };
}

function chooseProfile(rng: Rng, huge: boolean): Profile {
  const r = rng.float();
  const kind: Profile['kind'] = huge ? 'customer' : r < 0.1 ? 'ignored' : r < 0.13 ? 'outbound_reply' : 'customer';
  return {
    kind,
    noReply: !huge && rng.chance(0.12),
    aiFirst: rng.chance(0.15),
    noteFirst: rng.chance(0.15),
    hugeParts: huge ? rng.int(520, 700) : 0,
  };
}
