import type { SimulatorOptions } from '../../src/simulator';
import { startSimulator } from '../../src/simulator';

// Budgets are on this process's CPU time: wall-clock time also measures whatever else shares the machine.
async function startCost(opts: SimulatorOptions): Promise<number> {
  const before = process.cpuUsage();
  const sim = await startSimulator(opts);
  const used = process.cpuUsage(before);
  await sim.stop();
  return (used.user + used.system) / 1000;
}

describe('start-up cost', () => {
  it('starts 1,000 small workspaces in under 2 s', async () => {
    const ms = await startCost({
      workspaces: Array.from({ length: 1000 }, (_, i) => ({ id: `ws-${i}`, name: `Co ${i}`, region: 'us' as const, conversations: 5 })),
    });
    expect(ms).toBeLessThan(2000);
  });

  it('starts 20,000 conversations in under 5 s', async () => {
    const ms = await startCost({ workspaces: [{ id: 'big', name: 'Big', region: 'us', conversations: 20_000 }] });
    expect(ms).toBeLessThan(5000);
  });
});
