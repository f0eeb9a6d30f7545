import { startSimulator } from '../../src/simulator';

describe('start-up cost', () => {
  it('starts 1,000 small workspaces in under 2 s', async () => {
    const started = Date.now();
    const sim = await startSimulator({
      workspaces: Array.from({ length: 1000 }, (_, i) => ({ id: `ws-${i}`, name: `Co ${i}`, region: 'us' as const, conversations: 5 })),
    });
    const elapsed = Date.now() - started;
    await sim.stop();
    expect(elapsed).toBeLessThan(2000);
  });

  it('starts 20,000 conversations in under 5 s', async () => {
    const started = Date.now();
    const sim = await startSimulator({ workspaces: [{ id: 'big', name: 'Big', region: 'us', conversations: 20_000 }] });
    const elapsed = Date.now() - started;
    await sim.stop();
    expect(elapsed).toBeLessThan(5000);
  });
});
