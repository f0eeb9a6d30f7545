import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Installs the SDK runtime once, before anything else touches the SDK, with our log level.
 * `shutdownSignals: []` leaves SIGTERM/SIGINT to the process (see worker/shutdown.ts), which drains
 * its activities before it asks the worker to shut down.
 */
export function installRuntime(level: string, opts: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  const sdkLevel = (level.toUpperCase() === 'DEBUG' ? 'DEBUG' : level.toUpperCase() === 'ERROR' ? 'ERROR' : 'WARN') as LogLevel;
  Runtime.install({ logger: new DefaultLogger(sdkLevel), ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}) });
}
