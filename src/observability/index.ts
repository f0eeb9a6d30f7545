import type { Config } from '../config';
import { createLogger, defaultLogFormat, type Logger } from './logger';

export { createLogger, REDACT_PATHS, type Logger, type LogFormat } from './logger';
export { createMetrics, type Metrics, type RequestMetrics, type SyncMetrics, type WebhookMetrics } from './metrics';
export { metricsHandler, startMetricsServer, type MetricsServer } from './metricsServer';
export { observabilityInterceptor } from './activityInterceptor';

/** The process's logger as LOG_LEVEL and LOG_FORMAT say (`entry` picks the default format). */
export function loggerFromConfig(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>, entry: 'start' | 'other' = 'other'): Logger {
  return createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? defaultLogFormat(entry) });
}
