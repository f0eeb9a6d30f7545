import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createServices } from '../app/services';
import { connectConfiguredClient } from '../app/temporal';
import { connectWorkspace } from '../app/connectWorkspace';
import { connectLinkCommand } from './connectLink';
import { parseResyncTime, sendCommand, statusOfAll, verifyReport, type Command } from './commands';
import type { ResyncRequest } from '../../workflows/types';
import { KEYED_COMMANDS, MAINTENANCE_USAGE, runMaintenance } from './maintenance';

const USAGE = `usage: npm run cli -- <command> [args]
  migrate                                create the database if needed and run migrations
  connect [--token-file <path>]          connect a workspace with a private-app token, read from
                                         the file, else INTERCOM_ACCESS_TOKEN, else standard input
  connect-link [--ttl 24h] [--note text] print a single-use URL that lets an admin connect a
                                         workspace through OAuth (expires after --ttl, max 30d)
  status [workspace-id]                  one workspace or all, as a table
  pause <workspace-id>
  resume <workspace-id>
  resync <workspace-id> [--from <date|unix s>] [--to <date|unix s>]
  disconnect <workspace-id>              stop every job and delete the token
  verify <workspace-id> [--days 14]      contacts per day (overall, per queue, per team) and agents by state
${MAINTENANCE_USAGE}`;

/** Never from argv: a token there shows in `ps`, shell history and CI logs. */
async function readToken(tokenFile: string | undefined): Promise<string> {
  let token: string;
  if (tokenFile) token = await readFile(tokenFile, 'utf8');
  else if (process.env.INTERCOM_ACCESS_TOKEN) token = process.env.INTERCOM_ACCESS_TOKEN;
  else if (process.stdin.isTTY) throw new Error('connect: pipe the token on standard input, or use --token-file or INTERCOM_ACCESS_TOKEN');
  else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    token = Buffer.concat(chunks).toString('utf8');
  }
  token = token.trim();
  if (!token) throw new Error('connect: the access token is empty');
  return token;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { token: { type: 'string' }, 'token-file': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, days: { type: 'string' }, ttl: { type: 'string' }, note: { type: 'string' } },
  });
  const [command, workspaceId] = positionals;
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  if (values.token !== undefined) {
    throw new Error('--token is not accepted: a token on the command line shows in `ps` and shell history. Use --token-file <path>, INTERCOM_ACCESS_TOKEN or standard input');
  }
  const config = loadConfig();
  const services = await createServices(config, { keyOptional: !KEYED_COMMANDS.has(command) });
  try {
    const maintained = await runMaintenance(command, workspaceId, services);
    if (maintained !== null) return maintained;
    if (command === 'migrate') {
      console.log('migrations applied');
      return 0;
    }
    if (command === 'connect-link') {
      console.log(await connectLinkCommand(services.db, config, { ttl: values.ttl, note: values.note }));
      return 0;
    }
    if (command === 'status') {
      // The Postgres mirror, not a Temporal query: queries are billable on Temporal Cloud.
      console.log(await statusOfAll(services.db, workspaceId));
      return 0;
    }
    if (command === 'verify') {
      if (!workspaceId) throw new Error('verify needs a workspace id');
      const days = values.days === undefined ? 14 : Number(values.days);
      if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a positive integer, got ${values.days}`);
      const report = await verifyReport(services.db, workspaceId, days);
      console.log(report.text);
      return report.problems.length ? 1 : 0;
    }
    const client = await connectConfiguredClient(config);
    try {
      switch (command) {
        case 'connect': {
          const token = await readToken(values['token-file']);
          const r = await connectWorkspace(
            { db: services.db, cipher: services.cipher, http: services.http, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE, apiBaseUrlOverride: config.INTERCOM_API_BASE_URL },
            token,
          );
          console.log(`connected ${r.name} (${r.workspaceId}, ${r.region}); workflow ${r.workflowId}`);
          return 0;
        }
        case 'pause':
        case 'resume':
        case 'resync':
        case 'disconnect': {
          if (!workspaceId) throw new Error(`${command} needs a workspace id`);
          const resync: ResyncRequest | undefined =
            command === 'resync' ? { fromSec: parseResyncTime('from', values.from), toSec: parseResyncTime('to', values.to) } : undefined;
          if (resync) for (const k of ['fromSec', 'toSec'] as const) if (resync[k] === undefined) delete resync[k];
          const view = await sendCommand(client, workspaceId, command as Command, resync);
          console.log(`${command}: ${workspaceId} is now ${view.status}`);
          return 0;
        }
        default:
          console.error(`unknown command "${command}"\n${USAGE}`);
          return 2;
      }
    } finally {
      await client.connection.close();
    }
  } finally {
    await services.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
