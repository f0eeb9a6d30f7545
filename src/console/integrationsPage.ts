import type { CardRow } from '../repositories/consoleData';
import type { SyncStatus } from '../workspaceTypes';
import { html, type Html } from './html';

const STATUS_CLASS: Record<SyncStatus, string> = {
  Connected: 's-run',
  'Sync in progress': 's-run',
  Synced: 's-ok',
  Paused: 's-warn',
  'Needs reauthorization': 's-bad',
  Disconnected: 's-bad',
};

export function ago(at: Date | null, now = Date.now()): string {
  if (!at) return 'not yet';
  const s = Math.max(0, Math.round((now - at.getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function eta(sec: number | null): string {
  if (sec === null) return 'unknown';
  return sec < 120 ? `${sec} s` : sec < 7200 ? `${Math.round(sec / 60)} min` : `${Math.round(sec / 3600)} h`;
}

/** The card's words, also served as JSON for live updates (the page's script sets them by key). */
export function cardFields(c: CardRow, now = Date.now()): Record<string, string> {
  const percent = c.status === 'Synced' ? 100 : Math.floor(c.backfillPercent ?? 0);
  const error =
    (c.lastError ? `${c.lastError}${c.errorClass ? ` (${c.errorClass})` : ''}` : null) ?? (c.syncErrors > 0 ? `${c.syncErrors} conversation(s) passed over: Intercom's answer broke the contract (a resync retries them)` : 'None');
  return {
    status: c.status,
    backfill: c.status === 'Disconnected' ? 'stopped' : `${percent}%${percent < 100 ? `, ETA ${eta(c.backfillEtaSeconds)}` : ''}`,
    stored: String(c.tickets),
    defaultRun: ago(c.lastDefaultRunAt, now),
    agents: c.agentsObservedAt ? `updated ${ago(c.agentsObservedAt, now)}` : 'no agent states yet',
    error,
  };
}

export interface CardOptions {
  /** Operators get the actions; a customer's admin only reads. */
  csrf: string | null;
}

export function card(c: CardRow, o: CardOptions): Html {
  const f = cardFields(c);
  const actions = o.csrf === null ? html`` : cardActions(c, o.csrf);
  const percent = c.status === 'Synced' ? 100 : Math.floor(c.backfillPercent ?? 0);
  return html`<section class="card" id="ws-${c.id}" data-workspace="${c.id}" aria-labelledby="ws-${c.id}-name">
<h2 id="ws-${c.id}-name">${c.name}</h2>
<p>Status: <span class="status ${STATUS_CLASS[c.status] ?? ''}" data-field="status" role="status">${f.status}</span></p>
<progress max="100" value="${percent}" aria-label="Backfill progress" data-field="progress">${percent}%</progress>
<dl>
<dt>Workspace</dt><dd>${c.id}, region ${c.region.toUpperCase()}</dd>
<dt>Backfill</dt><dd data-field="backfill">${f.backfill}</dd>
<dt>Conversations stored</dt><dd data-field="stored">${f.stored}</dd>
<dt>Last default run</dt><dd data-field="defaultRun">${f.defaultRun}</dd>
<dt>Agent states</dt><dd data-field="agents">${f.agents}</dd>
<dt>Last error</dt><dd data-field="error">${f.error}</dd>
</dl>
${o.csrf === null ? html`` : html`<p><a href="/console/workspaces/${encodeURIComponent(c.id)}/verify">Verify the data of ${c.name}</a></p>`}
${actions}
</section>`;
}

function cardActions(c: CardRow, csrf: string): Html {
  const id = encodeURIComponent(c.id);
  const post = (action: string, label: string, cls = '') =>
    html`<form class="inline" method="post" action="/console/workspaces/${id}/${action}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="${cls}">${label}</button></form> `;
  return html`<div role="group" aria-label="Actions for ${c.name}">
${c.status === 'Paused' ? post('resume', 'Resume') : post('pause', 'Pause')}
<a class="button" href="/console/connect?workspace=${id}">Reconnect</a>
${post('disconnect', 'Disconnect…', 'danger')}
<details><summary>Resync a date range</summary>
<form method="post" action="/console/workspaces/${id}/resync"><input type="hidden" name="csrf" value="${csrf}">
<label>From (empty: five years back) <input type="date" name="from"></label>
<label>To (empty: now) <input type="date" name="to"></label>
<button type="submit">Resync</button></form></details>
</div>`;
}

export function integrationsBody(cards: CardRow[], o: { csrf: string | null; flash?: string; operator: boolean }): Html {
  const flash = o.flash ? html`<p class="flash" role="alert">${o.flash}</p>` : html``;
  const connect = o.operator ? html`<p><a class="button" href="/console/connect">Connect Intercom</a></p>` : html``;
  const list = cards.length ? cards.map((c) => card(c, o)) : html`<p>No workspace is connected yet.</p>`;
  return html`${flash}${connect}<div class="cards">${list}</div>`;
}

export function confirmDisconnectBody(c: CardRow, csrf: string): Html {
  return html`<section class="panel"><p>Disconnect <strong>${c.name}</strong> (${c.id})? Every job stops and its Intercom token is deleted; the data synced so far stays. Connecting it again starts over from its token.</p>
<form method="post" action="/console/workspaces/${encodeURIComponent(c.id)}/disconnect"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="confirm" value="yes">
<button type="submit" class="danger">Yes, disconnect ${c.name}</button> <a class="button" href="/console#ws-${c.id}">Cancel</a></form></section>`;
}

/** Polls the JSON twice a second's worth of patience (every 2 s) while the page is open; sets words, never markup. */
export const LIVE_SCRIPT = `(function(){var u=document.body.dataset.live;if(!u)return;function t(){fetch(u,{credentials:'same-origin'}).then(function(r){return r.ok?r.json():null}).then(function(j){if(!j)return;j.cards.forEach(function(c){var el=document.getElementById('ws-'+c.id);if(!el)return;Object.keys(c.fields).forEach(function(k){var f=el.querySelector('[data-field="'+k+'"]');if(f)f.textContent=c.fields[k]});var p=el.querySelector('progress');if(p)p.value=c.percent;var s=el.querySelector('[data-field="status"]');if(s)s.className='status '+c.cls})}).catch(function(){}).finally(function(){setTimeout(t,2000)})}setTimeout(t,2000)})();`;

export function statusJson(cards: CardRow[]): { cards: Array<{ id: string; percent: number; cls: string; fields: Record<string, string> }> } {
  return {
    cards: cards.map((c) => ({
      id: c.id,
      percent: c.status === 'Synced' ? 100 : Math.floor(c.backfillPercent ?? 0),
      cls: STATUS_CLASS[c.status] ?? '',
      fields: cardFields(c),
    })),
  };
}
