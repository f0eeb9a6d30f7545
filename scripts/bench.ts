import { parseArgs } from 'node:util';
import { actionsScenario } from './bench/scenarios/actions';
import { backfillScenario } from './bench/scenarios/backfill';
import { chaosScenario } from './bench/scenarios/chaos';
import { crashScenario } from './bench/scenarios/crash';
import { fleetScenario } from './bench/scenarios/fleet';
import { writesScenario } from './bench/scenarios/writes';
import { webhooksScenario } from './bench/scenarios/webhooks';
import { evaluate, goalsMet, table, writeResult, type ScenarioOutput } from './bench/report';
import { log } from './bench/stack';

/**
 * `npm run bench [-- --scenario NAME[,NAME…]] [--quick] [--tier 1000|10000] [--cpu-prof] [--inspect] [--workspaces N]`
 *
 * Runs scenarios against the simulated Intercom (≈80 ms latency), a fresh Postgres database per
 * scenario and a real Temporal dev server, with the worker under test in its own process. Prints a
 * table per scenario, writes bench-results/[quick/]<scenario>.{json,svg}, and prints as its LAST line
 * one JSON object: the scenario's figures (several scenarios: { scenarios: [...] }).
 */
const SCENARIOS = ['writes', 'backfill', 'crash', 'fleet', 'chaos', 'webhooks', 'actions'] as const;
type Name = (typeof SCENARIOS)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      tier: { type: 'string', multiple: true },
      'cpu-prof': { type: 'boolean', default: false },
      inspect: { type: 'boolean', default: false },
      workspaces: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench -- [--scenario ${SCENARIOS.join('|')}] [--quick] [--tier 1000|10000] [--cpu-prof] [--inspect (fleet: heap usage + snapshot)] [--workspaces N (fleet)]`);
    return;
  }
  const names = (values.scenario ?? [...SCENARIOS]).flatMap((s) => s.split(',')).map((s) => s.trim()) as Name[];
  for (const n of names) if (!SCENARIOS.includes(n)) throw new Error(`unknown scenario "${n}" (one of ${SCENARIOS.join(', ')})`);
  const quick = values.quick ?? false;
  const cpuProf = values['cpu-prof'] ?? false;
  const inspect = values.inspect ?? false;
  const workspaces = values.workspaces === undefined ? undefined : Number(values.workspaces);
  if (workspaces !== undefined && !(workspaces > 0)) throw new Error('--workspaces takes a positive number');
  const tiers = values.tier?.map(Number);
  if (tiers?.some((t) => !(t > 0))) throw new Error('--tier takes requests per minute, e.g. --tier 1000');
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');

  const all: Array<Record<string, unknown>> = [];
  for (const name of names) {
    const started = Date.now();
    log(`scenario ${name}${quick ? ' (quick)' : ''}`);
    const out = await run(name, { quick, cpuProf, inspect, tiers, workspaces });
    const goals = evaluate(out.summary, out.goals);
    const files = await writeResult(name, quick, command, out, goals);
    console.log(`\n${table(`${name}${quick ? ' (quick)' : ''}: ${((Date.now() - started) / 1000).toFixed(0)} s · ${files.json} · ${files.svg}`, out, goals)}`);
    for (const g of goals) if (!g.pass) console.log(`  ✗ ${g.reason ?? g.key}`);
    for (const n of out.notes) console.log(`  - ${n}`);
    all.push({ ...out.summary, goals_met: goalsMet(goals), goals_missed: goals.filter((g) => !g.pass).map((g) => g.reason ?? g.key) });
  }
  console.log(JSON.stringify(all.length === 1 ? all[0] : { scenarios: all }));
}

function run(name: Name, o: { quick: boolean; cpuProf: boolean; inspect: boolean; tiers?: number[]; workspaces?: number }): Promise<ScenarioOutput> {
  switch (name) {
    case 'backfill':
      return backfillScenario({ quick: o.quick, cpuProf: o.cpuProf, tiers: o.tiers });
    case 'fleet':
      return fleetScenario({ quick: o.quick, cpuProf: o.cpuProf, inspect: o.inspect, workspaces: o.workspaces });
    case 'writes':
      return writesScenario({ quick: o.quick });
    case 'crash':
      return crashScenario({ quick: o.quick, cpuProf: o.cpuProf });
    case 'chaos':
      return chaosScenario({ quick: o.quick });
    case 'webhooks':
      return webhooksScenario({ quick: o.quick });
    case 'actions':
      return actionsScenario({ quick: o.quick });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
