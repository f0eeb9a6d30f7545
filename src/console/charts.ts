import { html, type Html } from './html';

// Inline SVG charts. Each one has a <title>, and every caller renders the same numbers as a table
// next to it, so nothing is conveyed by the picture alone.

export interface Bar {
  label: string;
  value: number;
  /** Flagged bars get a pattern and a word, never only a colour. */
  flag?: string;
}

const W = 640;
const H = 180;
const PAD = { l: 64, r: 16, t: 10, b: 34 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / p) * p;
}

export function barChart(id: string, title: string, bars: Bar[]): Html {
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = bars.length ? iw / bars.length : iw;
  const rects = bars.map((b, i) => {
    const h = (b.value / max) * ih;
    const x = PAD.l + i * bw;
    const y = PAD.t + ih - h;
    const fill = b.flag ? `url(#${id}-hatch)` : '#457b9d';
    const mark = b.flag ? html`<text x="${(x + bw / 2).toFixed(1)}" y="${(PAD.t + ih - 2).toFixed(1)}" text-anchor="middle" fill="#a11">!</text>` : html``;
    return html`<rect x="${(x + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"><title>${b.label}: ${b.value}${b.flag ? ` (${b.flag})` : ''}</title></rect>${mark}${
      i % Math.ceil(bars.length / 10) === 0 ? html`<text x="${(x + bw / 2).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${b.label.slice(5)}</text>` : html``
    }`;
  });
  return html`<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${W} ${H}" width="100%" data-chart="${id}">
<title id="${id}-t">${title}</title>
<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1c4c4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a11" stroke-width="3"/></pattern></defs>
${axis(max)}${rects}</svg>`;
}

/** Seconds read better as minutes once they are long. */
const axisLabel = (max: number, unit: string) => (unit === 's' && max >= 600 ? `${Math.round(max / 60)} min` : `${max}${unit}`);

function axis(max: number, unit = ''): Html {
  const ih = H - PAD.t - PAD.b;
  return html`<line x1="${PAD.l}" y1="${PAD.t + ih}" x2="${W - PAD.r}" y2="${PAD.t + ih}" stroke="#555"/>
<text x="${PAD.l - 4}" y="${PAD.t + 8}" text-anchor="end">${axisLabel(max, unit)}</text><text x="${PAD.l - 4}" y="${PAD.t + ih}" text-anchor="end">0</text>`;
}

export interface Series {
  name: string;
  /** Dashed or solid: told apart by line style and a legend, not only colour. */
  dash?: boolean;
  points: Array<number | null>;
}

export function lineChart(id: string, title: string, labels: string[], series: Series[], unit: string): Html {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.points.filter((p): p is number => p !== null))));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const x = (i: number) => PAD.l + (labels.length > 1 ? (i / (labels.length - 1)) * iw : iw / 2);
  const y = (v: number) => PAD.t + ih - (v / max) * ih;
  const lines = series.map((s, si) => {
    const pts = s.points.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    const colour = si === 0 ? '#1d3557' : '#e76f51';
    return html`<polyline fill="none" stroke="${colour}" stroke-width="2" ${s.dash ? html`stroke-dasharray="6 4"` : html``} points="${pts.join(' ')}"/>
<text x="${W - PAD.r - 150 + si * 75}" y="${H - 4}">${s.dash ? '- - ' : '── '}${s.name}</text>`;
  });
  const ticks = labels.map((l, i) => (i % Math.ceil(labels.length / 10) === 0 ? html`<text x="${x(i).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${l.slice(5)}</text>` : html``));
  return html`<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${W} ${H}" width="100%" data-chart="${id}"><title id="${id}-t">${title}</title>${axis(max, unit)}${lines}${ticks}</svg>`;
}

export interface Span {
  row: string;
  state: string;
  /** Fractions of the day, 0..1. */
  from: number;
  to: number;
}

const STATE_FILL: Record<string, string> = { available: '#2a9d8f', away: '#e9c46a' };

/** One row per agent; each span is labelled with its state's initial as well as coloured. */
export function timeline(id: string, title: string, rows: string[], spans: Span[]): Html {
  const rowH = 18;
  const h = PAD.t + rows.length * rowH + 24;
  const left = 120;
  const iw = W - left - PAD.r;
  const bars = spans.map((s) => {
    const r = rows.indexOf(s.row);
    const x = left + s.from * iw;
    const w = Math.max(1, (s.to - s.from) * iw);
    return html`<rect x="${x.toFixed(1)}" y="${PAD.t + r * rowH + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${STATE_FILL[s.state] ?? '#999'}"><title>${s.row}: ${s.state}</title></rect>${
      w > 14 ? html`<text x="${(x + 3).toFixed(1)}" y="${PAD.t + r * rowH + 13}">${s.state.slice(0, 2)}</text>` : html``
    }`;
  });
  const names = rows.map((r, i) => html`<text x="${left - 4}" y="${PAD.t + i * rowH + 13}" text-anchor="end">${r.slice(0, 18)}</text>`);
  const hours = [0, 6, 12, 18, 24].map((hr) => html`<text x="${(left + (hr / 24) * iw).toFixed(1)}" y="${h - 6}" text-anchor="${hr === 24 ? 'end' : hr === 0 ? 'start' : 'middle'}">${String(hr).padStart(2, '0')}:00</text>`);
  return html`<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${W} ${h}" width="100%" data-chart="${id}"><title id="${id}-t">${title}</title>${names}${bars}${hours}</svg>`;
}

const SLICE_FILL = ['#1d3557', '#e76f51', '#2a9d8f', '#e9c46a', '#8d99ae', '#6a4c93', '#f4a261', '#264653'];

/** Stacked bars, one segment per slice; each segment's <title> names it, the legend numbers the slices. */
export function stackedBars(id: string, title: string, labels: string[], slices: string[], counts: number[][]): Html {
  const totals = counts.map((c) => c.reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = labels.length ? iw / labels.length : iw;
  const bars = labels.map((label, i) => {
    let y = PAD.t + ih;
    const x = PAD.l + i * bw;
    const segs = (counts[i] ?? []).map((n, k) => {
      const h = (n / max) * ih;
      y -= h;
      return n > 0
        ? html`<rect x="${(x + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${SLICE_FILL[k % SLICE_FILL.length]}" stroke="#fff" stroke-width="0.5"><title>${label}, ${slices[k]}: ${n}</title></rect>`
        : html``;
    });
    const tick = i % Math.ceil(labels.length / 10) === 0 ? html`<text x="${(x + bw / 2).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${label.slice(5)}</text>` : html``;
    return html`${segs}${tick}`;
  });
  const legend = slices.slice(0, 8).map((name, k) => html`<rect x="${PAD.l + k * 70}" y="${H - 12}" width="9" height="9" fill="${SLICE_FILL[k]}"/><text x="${PAD.l + k * 70 + 12}" y="${H - 4}">${name.slice(0, 9)}</text>`);
  return html`<svg role="img" aria-labelledby="${id}-t" viewBox="0 0 ${W} ${H}" width="100%" data-chart="${id}"><title id="${id}-t">${title}</title>${axis(max)}${bars}${legend}</svg>`;
}
