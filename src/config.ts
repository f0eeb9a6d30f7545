import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseKeyRingSpec } from './crypto/tokenCipher';

// Parsed once at start-up; a wrong or missing value stops the process with a message naming the variable.

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.url().optional();
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false').transform((v) => ['true', '1', 'yes'].includes(v));

/** A PEM file that exists and holds what `kind` says (checked at start-up, not at the first connect). */
function pemFile(kind: 'CERTIFICATE' | 'PRIVATE KEY') {
  return z.string().superRefine((path, ctx) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      ctx.addIssue({ code: 'custom', message: code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path} (${code ?? (err as Error).message})` });
      return;
    }
    const begin = new RegExp(`-----BEGIN [A-Z ]*${kind}-----`);
    if (!begin.test(text)) ctx.addIssue({ code: 'custom', message: `${path} holds no PEM ${kind.toLowerCase()} (-----BEGIN …${kind}-----)` });
  });
}

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://postgres@127.0.0.1:5432/intercom_sync'),
  /** Longest wait for a database connection (pool checkout or connect), ms; 0 = no limit. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Postgres statement_timeout of every session, ms; 0 = the server's. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /** Postgres idle_in_transaction_session_timeout of every session, ms; 0 = the server's. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** TLS to TEMPORAL_ADDRESS. Unset: on when any other TEMPORAL_TLS_* or TEMPORAL_API_KEY is set. */
  TEMPORAL_TLS: flag.optional(),
  /** The CA that signed the server's certificate; unset: the system's trust store (Temporal Cloud). */
  TEMPORAL_TLS_CA: pemFile('CERTIFICATE').optional(),
  /** The name checked against the server's certificate (and sent as SNI) instead of the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** mTLS: the client certificate and its key. */
  TEMPORAL_TLS_CERT: pemFile('CERTIFICATE').optional(),
  TEMPORAL_TLS_KEY: pemFile('PRIVATE KEY').optional(),
  /** Temporal Cloud API key, sent as `authorization: Bearer …`; implies TLS. Never logged. */
  TEMPORAL_API_KEY: z.string().trim().min(1).optional(),
  /** How long a connection attempt to Temporal may take before it fails with the reason. */
  TEMPORAL_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('intercom-sync'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_PORT: port.default(7233),
  DATA_DIR: z.string().min(1).default('.data'),
  /** A prebuilt workflow bundle (`npm run bundle`) skips webpack when a worker starts. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Detail requests in flight per backfill window. */
  DETAIL_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(24),
  /** SIGTERM/SIGINT: how long in-flight activities get to finish their page before they are cancelled. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
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
  /** Largest webhook body accepted (conversation payloads carry parts). */
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(20_971_520).default(2_097_152),
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
  /** json: one JSON line per event; pretty: readable lines. Unset: pretty for `npm start`, json elsewhere. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** The worker's Prometheus endpoint (GET /metrics); unset: none. */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** host:port for the Temporal SDK runtime's own Prometheus exporter (worker); unset: off. */
  TEMPORAL_METRICS_BIND: z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):\d+$/, 'must be host:port').optional(),
  // The HTTP process (`npm run server`, and the endpoints of `npm start`): limits and OAuth guards.
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(50 * 1_048_576).default(1_048_576),
  /** `true`, a hop count, or comma-separated addresses/CIDRs of the proxies whose X-Forwarded-For is believed. */
  HTTP_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d+|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, 'must be true, false, a hop count, or comma-separated addresses/CIDRs')
    .optional(),
  OAUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  OAUTH_MAX_PENDING_STATES: z.coerce.number().int().min(1).max(1_000_000).default(200),
  /** Shared with the product: lets its signed-in users start OAuth without a connect link (src/oauth/productSession.ts). */
  PRODUCT_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // The operator console (src/console): off unless one credential is set.
  /** scrypt hash of the operator's password: `scrypt$<salt b64>$<hash b64>` (npm run cli -- console-hash). */
  CONSOLE_PASSWORD_HASH: z.string().regex(/^scrypt\$[A-Za-z0-9+/=]{16,}\$[A-Za-z0-9+/=]{40,}$/, 'must be scrypt$<salt base64>$<hash base64>').optional(),
  /** Alternatively a long random token the operator types as the password. */
  CONSOLE_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Signs console sessions; default: derived from the credential (so every server process agrees). */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

/** Combinations of the TEMPORAL_* security settings that cannot work, each named. */
function temporalSecurityRules(c: {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_API_KEY?: string;
}, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.TEMPORAL_TLS_CERT && !c.TEMPORAL_TLS_KEY) issue('TEMPORAL_TLS_KEY', 'required with TEMPORAL_TLS_CERT (the client certificate\'s private key)');
  if (c.TEMPORAL_TLS_KEY && !c.TEMPORAL_TLS_CERT) issue('TEMPORAL_TLS_CERT', 'required with TEMPORAL_TLS_KEY (the client certificate)');
  const tlsSettings = (['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_API_KEY'] as const).filter((k) => c[k] !== undefined);
  if (c.TEMPORAL_TLS === false && tlsSettings.length) {
    issue('TEMPORAL_TLS', `is false, but ${tlsSettings.join(', ')} ${tlsSettings.length > 1 ? 'need' : 'needs'} TLS (an API key is never sent in the clear)`);
  }
  if (!c.TEMPORAL_ADDRESS && (c.TEMPORAL_TLS || tlsSettings.length)) {
    issue('TEMPORAL_ADDRESS', `required with ${[...(c.TEMPORAL_TLS ? ['TEMPORAL_TLS'] : []), ...tlsSettings].join(', ')}: the embedded dev server has no TLS`);
  }
}

const checkedSchema = envSchema.superRefine(temporalSecurityRules);

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`FOO=` in a shell or compose file) means "not set", not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = checkedSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
