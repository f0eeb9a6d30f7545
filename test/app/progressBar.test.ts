import { progressBar, ProgressLine } from '../../src/app/progressBar';
import type { StatusRow } from '../../src/cli/commands';

/** What a terminal shows after receiving `writes`: \r returns to column 0, \b steps back, characters overwrite. */
function screen(writes: string[]): string {
  const cells: string[] = [];
  let col = 0;
  for (const ch of writes.join('')) {
    if (ch === '\r') col = 0;
    else if (ch === '\b') col = Math.max(0, col - 1);
    else cells[col++] = ch;
  }
  return cells.join('');
}

const view = (status: string, percent: number, done: boolean, stored: number): StatusRow => ({
  id: 'demo-workspace',
  name: 'Demo',
  status,
  backfillPercent: done ? 100 : percent,
  stored,
  etaSeconds: done ? null : 1234,
  lastDefaultRunAt: null,
  agentsPolledAt: null,
  lastError: null,
});

describe('npm start progress line', () => {
  it('a shorter line leaves nothing of a longer previous one', () => {
    const line = new ProgressLine();
    const long = progressBar(view('Sync in progress', 90, false, 123456));
    const short = progressBar(view('Synced', 100, true, 2));
    expect(short.length).toBeLessThan(long.length);
    const shown = screen([line.render(long), line.render(short)]);
    expect(shown.trimEnd()).toBe(short);
    expect(shown).not.toMatch(/Synced\s+\S/);
  });

  it('a longer line replaces a shorter one whole', () => {
    const line = new ProgressLine();
    const a = progressBar(view('Paused', 10, false, 5));
    const b = progressBar(view('Sync in progress', 10, false, 5000));
    expect(screen([line.render(a), line.render(b)]).trimEnd()).toBe(b);
  });
});
