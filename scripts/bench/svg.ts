// Small hand-written SVG charts (no chart library): line, step, bar and point series on linear axes,
// with horizontal/vertical reference lines, stacked as panels in one file.

export interface Series {
  name: string;
  color: string;
  kind: 'line' | 'bar' | 'points';
  points: Array<[number, number]>;
  /** Bar width in x units (bars are centred on x). */
  barWidth?: number;
}

export interface RefLine {
  at: number;
  label: string;
  color?: string;
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  hlines?: RefLine[];
  vlines?: RefLine[];
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xMax?: number;
  /** Category labels for x (bar charts): x = index. */
  xCategories?: string[];
}

const W = 900;
const PANEL_H = 300;
const M = { left: 70, right: 24, top: 50, bottom: 46 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return String(+v.toFixed(2));
}

/** "Nice" ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function renderPanel(p: Panel, y0: number): string {
  const all = p.series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y).concat((p.hlines ?? []).map((h) => h.at));
  const halfBar = Math.max(0, ...p.series.filter((s) => s.kind === 'bar').map((s) => (s.barWidth ?? 1) / 2));
  let xMin = p.xMin ?? (xs.length ? Math.min(...xs) - halfBar : 0);
  let xMax = p.xMax ?? (xs.length ? Math.max(...xs) + halfBar : 1);
  if (xMax <= xMin) xMax = xMin + 1;
  const yMin = p.yMin ?? Math.min(0, ...ys);
  let yMax = p.yMax ?? (ys.length ? Math.max(...ys) * 1.08 : 1);
  if (yMax <= yMin) yMax = yMin + 1;
  if (p.xCategories) {
    xMin = -0.5;
    xMax = p.xCategories.length - 0.5;
  }
  const pw = W - M.left - M.right;
  const ph = PANEL_H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number) => y0 + M.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${y0 + 18}" font-size="14" font-weight="bold">${esc(p.title)}</text>`);
  // grid + y ticks
  for (const t of niceTicks(yMin, yMax)) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(sy(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${fmt(t)}</text>`);
  }
  // x ticks
  if (p.xCategories) {
    p.xCategories.forEach((c, i) => out.push(`<text x="${sx(i).toFixed(1)}" y="${y0 + M.top + ph + 16}" font-size="11" text-anchor="middle">${esc(c)}</text>`));
  } else {
    for (const t of niceTicks(xMin, xMax, 8)) {
      out.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${y0 + M.top + ph}" y2="${y0 + M.top + ph + 4}" stroke="#333"/>`);
      out.push(`<text x="${sx(t).toFixed(1)}" y="${y0 + M.top + ph + 16}" font-size="11" text-anchor="middle">${fmt(t)}</text>`);
    }
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y0 + M.top + ph}" y2="${y0 + M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${y0 + M.top}" y2="${y0 + M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${y0 + PANEL_H - 8}" font-size="12" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${y0 + M.top + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(p.yLabel)}</text>`);
  // series
  for (const s of p.series) {
    if (s.kind === 'bar') {
      const bw = Math.max(1, (sx(s.barWidth ?? 1) - sx(0)) * 0.8);
      for (const [x, y] of s.points) {
        const top = sy(Math.max(y, yMin));
        out.push(`<rect x="${(sx(x) - bw / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${Math.max(0, sy(yMin) - top).toFixed(1)}" fill="${s.color}" opacity="0.85"/>`);
      }
    } else if (s.kind === 'line') {
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(' ');
      if (d) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    } else {
      for (const [x, y] of s.points) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.2" fill="${s.color}" opacity="0.7"/>`);
    }
  }
  (p.hlines ?? []).forEach((h, i) => {
    const y = sy(h.at).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="${h.color ?? '#c00'}" stroke-width="1.2"${h.dashed === false ? '' : ' stroke-dasharray="6 4"'}/>`);
    out.push(`<text x="${W - M.right - 4 - 160 * i}" y="${(Number(y) - 4).toFixed(1)}" font-size="11" text-anchor="end" fill="${h.color ?? '#c00'}">${esc(h.label)}</text>`);
  });
  (p.vlines ?? []).forEach((v, i) => {
    const x = sx(v.at);
    const nearRight = x > W - M.right - 120;
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0 + M.top}" y2="${y0 + M.top + ph}" stroke="${v.color ?? '#555'}" stroke-width="1.2"${v.dashed === false ? '' : ' stroke-dasharray="4 3"'}/>`);
    out.push(`<text x="${(nearRight ? x - 4 : x + 4).toFixed(1)}" y="${y0 + M.top + 12 + 13 * i}" font-size="11" text-anchor="${nearRight ? 'end' : 'start'}" fill="${v.color ?? '#555'}">${esc(v.label)}</text>`);
  });
  // legend: its own row under the title
  let lx = M.left;
  for (const s of p.series) {
    out.push(`<rect x="${lx}" y="${y0 + 28}" width="12" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${y0 + 37}" font-size="11">${esc(s.name)}</text>`);
    lx += 30 + s.name.length * 6.2;
  }
  return out.join('\n');
}

/** Panels stacked vertically in one standalone SVG document. */
export function renderSvg(title: string, panels: Panel[], footer?: string): string {
  const height = 30 + panels.length * PANEL_H + (footer ? 24 : 0);
  const body = panels.map((p, i) => renderPanel(p, 30 + i * PANEL_H)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="20" font-size="${title.length > 100 ? 13 : 15}" font-weight="bold" text-anchor="middle">${esc(title)}</text>`,
    body,
    footer ? `<text x="10" y="${height - 8}" font-size="10" fill="#666">${esc(footer)}</text>` : '',
    '</svg>',
    '',
  ].join('\n');
}
