import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's chromium: CHROMIUM_PATH, or the first of chromium / chromium-browser on PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error('no Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH');
}

export function launch(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers needs --no-sandbox; the pages are our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's WCAG 2 A/AA rules on the current page (the page's CSP is bypassed to inject it). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  // Strings, not functions: this file is compiled without the DOM's types.
  return page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`) as Promise<AxeViolation[]>;
}

/**
 * Tabs through the page from the top and returns every element that took focus, in order, as
 * "tag:text"; stops when focus comes back to the first.
 */
export async function tabOrder(page: Page, max = 80): Promise<string[]> {
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
  const seen: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const d = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      if (!el.dataset.tabSeen) el.dataset.tabSeen = String(Math.random());
      return { id: el.dataset.tabSeen, label: el.tagName.toLowerCase() + ':' + (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().slice(0, 40) };
    })()`)) as { id: string; label: string } | null;
    if (!d) continue;
    // A date input takes several Tabs (day, month, year): count it once; stop when focus wraps round.
    if (seen[0]?.startsWith(`${d.id}|`)) break;
    if (!seen.some((s) => s.startsWith(`${d.id}|`))) seen.push(`${d.id}|${d.label}`);
  }
  return seen.map((s) => s.slice(s.indexOf('|') + 1));
}

/** Every visible control the page offers (what the keyboard must reach). */
export function controls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('a[href],button,input:not([type=hidden]),summary,select,textarea')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => el.tagName.toLowerCase() + ':' + (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().slice(0, 40))`) as Promise<string[]>;
}
