import { Runtime } from '@temporalio/worker';
import { createLogger, type Logger, type LogLevelName } from '../observability/logger';
import { sdkLoggerAdapter } from '../observability/sdkLogger';

export interface RuntimeOptions {
  /** The process's logger; the SDK's lines go through it. Default: JSON lines on stdout. */
  logger?: Logger;
  /** host:port of the SDK runtime's own Prometheus exporter (TEMPORAL_METRICS_BIND); unset: off. */
  temporalMetricsBind?: string;
  /**
   * `[]` leaves SIGTERM/SIGINT to the process (see worker/shutdown.ts), which drains its
   * activities before it asks the worker to shut down. Unset: the SDK's defaults.
   */
  shutdownSignals?: NodeJS.Signals[];
}

/** Installs the SDK runtime once, before anything else touches the SDK, with our logger and level. */
export function installRuntime(level: string, opts: RuntimeOptions = {}): void {
  const lvl = (['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info') as LogLevelName;
  const logger = opts.logger ?? createLogger({ level: lvl, format: 'json' });
  Runtime.install({
    logger: sdkLoggerAdapter(logger, lvl),
    ...(opts.temporalMetricsBind ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.temporalMetricsBind } } } } : {}),
    ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}),
  });
}
