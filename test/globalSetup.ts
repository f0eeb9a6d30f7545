import { findTemporalCli } from '../src/temporal/cliBinary';

export default async function globalSetup(): Promise<void> {
  // Install the CLI once, before test files start in parallel and race to install it.
  await findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log: (l) => console.log(l) });
}
