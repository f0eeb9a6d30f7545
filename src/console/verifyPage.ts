import type { DayCount, StateCount } from '../repositories/verify';
import type { ResponseDay, StateSpan } from '../repositories/consoleData';
import { barChart, lineChart, stackedBars, timeline } from './charts';
import { html, type Html } from './html';

export interface VerifyData {
  workspace: { id: string; name: string };
  days: number;
  perDay: DayCount[];
  responses: ResponseDay[];
  states: StateCount[];
  spans: StateSpan[];
  /** The CLI's `verify` findings (src/cli/commands.ts verifyReport), in its words. */
  problems: string[];
  now: Date;
  /** Contacts per day by queue and by team, once tickets carry them (contactsPerDayBy). */
  breakdowns?: Array<{ by: 'queue' | 'team'; data: Breakdown }>;
}

/** The shape of contactsPerDayBy's answer (src/repositories/verify.ts). */
export interface Breakdown {
  slices: Array<{ id: string | null; name: string; removed: boolean; total: number }>;
  days: Array<{ day: string; counts: number[] }>;
}

function breakdownFigure(by: 'queue' | 'team', b: Breakdown, days: number): Html {
  const names = b.slices.map((sl) => `${sl.name}${sl.removed ? ' (removed)' : ''}`);
  return figure(
    `by-${by}`,
    `Contacts per day by ${by}`,
    stackedBars(`by-${by}`, `Conversations created per day by ${by}, last ${days} days`, b.days.map((d) => d.day), names, b.days.map((d) => d.counts)),
    by === 'queue' ? 'A conversation with two queues (tags) counts in both.' : 'Unassigned conversations are under "(no team)".',
    html`<table data-table="by-${by}"><caption class="sr-only">Contacts per day by ${by}</caption><thead><tr><th scope="col">Day</th>${names.map((n) => html`<th scope="col">${n}</th>`)}</tr></thead><tbody>${b.days.map(
      (d) => html`<tr><th scope="row">${d.day}</th>${d.counts.map((n) => html`<td>${n}</td>`)}</tr>`,
    )}</tbody></table>`,
  );
}

const minutes = (s: number | null) => (s === null ? 'none' : s < 120 ? `${s} s` : `${(s / 60).toFixed(1)} min`);
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

function figure(id: string, heading: string, chart: Html, caption: string, table: Html): Html {
  return html`<section class="panel" aria-labelledby="${id}-h"><h2 id="${id}-h">${heading}</h2>
<figure>${chart}<figcaption>${caption}</figcaption></figure>
<details open><summary>${heading}: the numbers</summary>${table}</details></section>`;
}

export function verifyBody(d: VerifyData): Html {
  const flagOf = (day: string) => {
    const p = d.problems.find((x) => x.startsWith(`${day}:`));
    return p ? p.slice(p.indexOf(',') + 2) : undefined;
  };
  const findings = d.problems.length
    ? html`<div class="panel" role="alert"><p class="problem">${d.problems.length} problem(s): reach out to support if this persists.</p><ul>${d.problems.map((p) => html`<li>${p}</li>`)}</ul></div>`
    : html`<p class="panel" role="status">OK: no zero or abnormal numbers.</p>`;
  const id = encodeURIComponent(d.workspace.id);
  const range = html`<p>Show the last <a href="/console/workspaces/${id}/verify?days=14" ${d.days === 14 ? html`aria-current="page"` : html``}>14 days</a> or <a href="/console/workspaces/${id}/verify?days=30" ${d.days === 30 ? html`aria-current="page"` : html``}>30 days</a> (UTC days).</p>`;

  const contacts = figure(
    'contacts',
    `Contacts per day, last ${d.days} days`,
    barChart('contacts', `Conversations created per day, last ${d.days} days`, d.perDay.map((x) => ({ label: x.day, value: x.count, flag: flagOf(x.day) }))),
    'Flagged days are hatched and marked "!".',
    html`<table data-table="contacts"><caption class="sr-only">Contacts per day</caption><thead><tr><th scope="col">Day</th><th scope="col">Contacts</th><th scope="col">Flag</th></tr></thead><tbody>${d.perDay.map(
      (x) => html`<tr><th scope="row">${x.day}</th><td>${x.count}</td><td>${flagOf(x.day) ?? ''}</td></tr>`,
    )}</tbody></table>`,
  );

  const frt = figure(
    'frt',
    'First-response time per day',
    lineChart('frt', `Median and p90 first-response time per day, last ${d.days} days`, d.responses.map((r) => r.day), [
      { name: 'median', points: d.responses.map((r) => r.median) },
      { name: 'p90', dash: true, points: d.responses.map((r) => r.p90) },
    ], 's'),
    'Solid line: median; dashed line: 90th percentile, in seconds, of the conversations created that day.',
    html`<table data-table="frt"><caption class="sr-only">First-response time per day</caption><thead><tr><th scope="col">Day</th><th scope="col">Responded</th><th scope="col">Median</th><th scope="col">p90</th></tr></thead><tbody>${d.responses.map(
      (r) => html`<tr><th scope="row">${r.day}</th><td>${r.responded}</td><td data-seconds="${r.median ?? ''}">${minutes(r.median)}</td><td data-seconds="${r.p90 ?? ''}">${minutes(r.p90)}</td></tr>`,
    )}</tbody></table>`,
  );

  const agents = figure(
    'agents',
    'Agents by state now',
    barChart('agents', 'Agents by current state', d.states.map((s) => ({ label: `     ${s.state}`, value: s.count }))),
    d.states.length ? 'One bar per state.' : 'No agent states recorded: flagged above.',
    html`<table data-table="agents"><caption class="sr-only">Agents by state now</caption><thead><tr><th scope="col">State</th><th scope="col">Agents</th></tr></thead><tbody>${d.states.map(
      (s) => html`<tr><th scope="row">${s.state}</th><td>${s.count}</td></tr>`,
    )}</tbody></table>`,
  );

  const midnight = Date.parse(`${d.now.toISOString().slice(0, 10)}T00:00:00Z`);
  const frac = (t: Date) => Math.min(1, Math.max(0, (t.getTime() - midnight) / 86_400_000));
  const rows = [...new Set(d.spans.map((s) => s.agent))];
  const today = figure(
    'timeline',
    'Agent states today (UTC)',
    timeline('timeline', 'Agent-state timeline for today, one row per agent', rows, d.spans.map((s) => ({ row: s.agent, state: s.state, from: frac(s.from), to: frac(s.to) }))),
    'Each span is labelled with the first letters of its state (av: available, aw: away).',
    html`<table data-table="timeline"><caption class="sr-only">Agent states today</caption><thead><tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">From</th><th scope="col">To</th></tr></thead><tbody>${d.spans.map(
      (s) => html`<tr><th scope="row">${s.agent}</th><td>${s.state}</td><td>${hhmm(s.from)}</td><td>${hhmm(s.to)}</td></tr>`,
    )}</tbody></table>`,
  );

  const breakdowns = (d.breakdowns ?? []).filter((x) => x.data.slices.length > 0).map((x) => breakdownFigure(x.by, x.data, d.days));
  return html`<p>Workspace ${d.workspace.name} (${d.workspace.id}). <a href="/console#ws-${d.workspace.id}">Back to its card</a></p>${range}${findings}${contacts}${breakdowns}${frt}${agents}${today}`;
}
