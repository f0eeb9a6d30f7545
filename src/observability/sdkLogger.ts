import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger, LogLevelName } from './logger';

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The SDK's own lines (worker, core) are noise at info: they log at warn unless debug or error is chosen. */
export function sdkLevelFor(level: LogLevelName): LogLevel {
  return level === 'debug' ? 'DEBUG' : level === 'error' ? 'ERROR' : 'WARN';
}

/**
 * The Temporal SDK's Logger interface on top of ours. Lines from our activities and workflows
 * (sdkComponent activity/workflow: they carry workflowId, activityType, workspaceId…) follow
 * LOG_LEVEL; the SDK's internal lines follow sdkLevelFor(LOG_LEVEL).
 */
export function sdkLoggerAdapter(logger: Logger, level: LogLevelName): SdkLogger {
  const userRank = RANK[level.toUpperCase() as LogLevel];
  const sdkRank = RANK[sdkLevelFor(level)];
  const log = (lvl: LogLevel, message: string, meta?: LogMetadata) => {
    const component = meta?.sdkComponent;
    const threshold = component === 'activity' || component === 'workflow' ? userRank : sdkRank;
    if (RANK[lvl] < threshold) return;
    const fields: Record<string, unknown> = { ...meta };
    // Core passes its own timestamp in ns; pino stamps the line itself.
    delete fields.timestampNanos;
    logger[PINO[lvl]](fields, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
