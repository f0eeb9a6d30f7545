import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Installs the SDK runtime once, before anything else touches the SDK, with our log level. */
export function installRuntime(level: string): void {
  const sdkLevel = (level.toUpperCase() === 'DEBUG' ? 'DEBUG' : level.toUpperCase() === 'ERROR' ? 'ERROR' : 'WARN') as LogLevel;
  Runtime.install({ logger: new DefaultLogger(sdkLevel) });
}
