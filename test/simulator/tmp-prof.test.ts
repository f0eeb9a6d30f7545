import { startSimulator } from '../../src/simulator';
it('prof', async () => {
  for (let k = 0; k < 3; k++) {
    const t = Date.now();
    const sim = await startSimulator({ workspaces: [{ id: 'big', name: 'Big', region: 'us', conversations: 20_000 }] });
    const m = process.memoryUsage();
    console.log('20k', Date.now() - t, 'ms heap', Math.round(m.heapUsed / 1e6));
    await sim.stop();
  }
});
