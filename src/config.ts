import { z } from 'zod';
import { parseKeyRingSpec } from './crypto/tokenCipher';

// Parsed once at start-up; a wrong or missing value stops the process with a message naming the variable.

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.url().optional();

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://postgres@127.0.0.1:5432/intercom_sync'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('intercom-sync'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_PORT: port.default(7233),
  DATA_DIR: z.string().min(1).default('.data'),
  /** A prebuilt workflow bundle (`npm run bundle`) skips webpack when a worker starts. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Detail requests in flight per backfill window. */
  DETAIL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(24),
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  /** A key ring, `id:base64,id:base64`, newest (current) first; TOKEN_ENCRYPTION_KEY, if also set, stays readable. */
  TOKEN_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseKeyRingSpec(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  /** Detail-body bytes a process may hold at once; detail requests in flight per process = this / 4 MiB. */
  DETAIL_MEMORY_MB: z.coerce.number().int().min(4).max(65536).default(512),
  INTERCOM_CLIENT_ID: z.string().min(1).optional(),
  INTERCOM_CLIENT_SECRET: z.string().min(1).optional(),
  /** Overrides every regional API host (tests and the simulator). */
  INTERCOM_API_BASE_URL: optionalUrl,
  /** Overrides the host of the OAuth authorize page. */
  INTERCOM_APP_BASE_URL: optionalUrl,
  HTTP_PORT: port.default(3000),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** The redirect URI is PUBLIC_URL + /oauth/callback: a trailing slash would double it. */
  PUBLIC_URL: optionalUrl.transform((u) => u?.replace(/\/+$/, '')),
  /** `npm start` only, when no INTERCOM_API_BASE_URL is set: the simulated Intercom. */
  SIM_PORT: port.default(4010),
  SIM_CONVERSATIONS: z.coerce.number().int().min(0).max(1_000_000).default(3000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`FOO=` in a shell or compose file) means "not set", not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
