import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { formatPrettyLine } from './pretty';

export type LogFormat = 'json' | 'pretty';
export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';
export type Logger = PinoLogger;

/**
 * Fields whose values are replaced by "[redacted]" wherever they appear (top level or one level
 * down, e.g. `headers.authorization`). Tokens and message bodies must never reach a log line;
 * this list is the last line of defence, the code already keeps them out of log calls.
 */
export const REDACT_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'token', '*.token', 'access_token', '*.access_token', 'accessToken', '*.accessToken',
  'apiKey', '*.apiKey', 'api_key', '*.api_key', 'client_secret', '*.client_secret', 'clientSecret', '*.clientSecret',
  'oauthCode', '*.code_verifier', 'password', '*.password', 'cookie', '*.cookie',
  'body', '*.body', 'bodies', '*.bodies', 'conversation_parts', '*.conversation_parts',
];

export interface LoggerOptions {
  level: LogLevelName;
  format: LogFormat;
  /** Where lines go; default stdout. Tests pass a collector. */
  destination?: DestinationStream;
}

/** The process's logger: one JSON line per event (or one readable line with format "pretty"). */
export function createLogger(o: LoggerOptions): Logger {
  const out: DestinationStream = o.destination ?? process.stdout;
  const stream: DestinationStream = o.format === 'pretty' ? { write: (line: string) => out.write(formatPrettyLine(line)) } : out;
  return pino(
    {
      level: o.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
}

/** The default format: readable lines for `npm start` (a human at a terminal), JSON everywhere else. */
export function defaultLogFormat(entry: 'start' | 'other'): LogFormat {
  return entry === 'start' ? 'pretty' : 'json';
}
