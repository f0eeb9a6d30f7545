import type { ScenarioOutput } from '../report';
export async function fleetScenario(_o: { quick: boolean; cpuProf?: boolean }): Promise<ScenarioOutput> {
  throw new Error('not yet');
}
