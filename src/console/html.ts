/** Every value that reaches a page goes through here: text and attribute values alike. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fragment already escaped (built only from esc() and literals). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#1d3557;color:#fff}
header a,header button{color:#fff}
main{padding:1rem 1.2rem;max-width:70rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1rem}
.card,.panel{background:#fff;border:1px solid #ccd;border-radius:6px;padding:1rem}
.status{font-weight:600;padding:.1rem .5rem;border-radius:4px;border:1px solid currentColor}
.s-ok{color:#1a6b2f}.s-run{color:#0b4f8a}.s-warn{color:#8a4b00}.s-bad{color:#a11}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.6rem 0}dt{color:#555}dd{margin:0}
form.inline{display:inline}
button,.button{font:inherit;padding:.3rem .7rem;border-radius:4px;border:1px solid #1d3557;background:#fff;color:#1d3557;cursor:pointer;text-decoration:none;display:inline-block}
button.danger{border-color:#a11;color:#a11}
header button{background:transparent;color:#fff;border-color:#fff}
:focus-visible{outline:3px solid #f4a261;outline-offset:2px}
.flash{padding:.6rem;border:1px solid #8a4b00;background:#fff6e5;margin-bottom:1rem}
.problem{color:#a11;font-weight:600}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccd;padding:.15rem .5rem;text-align:right}th{text-align:left}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
svg text{font:11px system-ui,sans-serif}
label{display:inline-block;margin:.2rem .4rem .2rem 0}
`;

export interface LayoutOptions {
  title: string;
  nonce: string;
  /** Shown in the header: the sign-out form needs the CSRF token. */
  signedIn?: { label: string; csrf: string };
  body: Html;
  script?: string;
  /** A JSON URL the page's script polls for live updates. */
  live?: string;
}

export function layout(o: LayoutOptions): string {
  const nav = o.signedIn
    ? html`<nav aria-label="Console"><a href="/console">Integrations</a></nav>
<span>${o.signedIn.label}</span>
<form class="inline" method="post" action="/console/logout"><input type="hidden" name="csrf" value="${o.signedIn.csrf}"><button type="submit">Sign out</button></form>`
    : html``;
  const script = o.script ? html`<script nonce="${o.nonce}">${new Html(o.script)}</script>` : html``;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · intercom-sync</title><style nonce="${o.nonce}">${new Html(CSS)}</style></head>
<body${o.live ? html` data-live="${o.live}"` : html``}><header><strong>intercom-sync</strong>${nav}</header><main id="main"><h1>${o.title}</h1>${o.body}</main>${script}</body></html>`}`;
}

/** The console's own CSP: inline style and script only with this response's nonce; fetch and forms to ourselves. */
export function consoleCsp(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
}
