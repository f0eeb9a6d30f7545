import { findTemporalCli } from './cliBinary';

// `npm run temporal:install`: makes sure the CLI exists and prints its path.
findTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH, log: (l) => console.error(l) })
  .then((path) => console.log(path))
  .catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
