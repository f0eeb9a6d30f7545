import { createLogger, type LogLevelName } from '../../src/observability/logger';
import { sdkLoggerAdapter } from '../../src/observability/sdkLogger';

function captured(level: LogLevelName = 'debug', format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const logger = createLogger({ level, format, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

describe('the logger', () => {
  it('writes one JSON line per event and redacts tokens, authorization headers and bodies', () => {
    const { logger, lines } = captured();
    logger.info({ workspaceId: 'w1', token: 'tok-secret', headers: { authorization: 'Bearer tok-secret' }, part: { body: '<p>hello PII-MARKER-1</p>' }, access_token: 'a-secret' }, 'event');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'event', workspaceId: 'w1', token: '[redacted]', access_token: '[redacted]', headers: { authorization: '[redacted]' }, part: { body: '[redacted]' } });
    expect(lines[0]).not.toContain('secret');
    expect(lines[0]).not.toContain('PII-MARKER');
  });

  it('LOG_FORMAT=pretty: a readable line with the fields after the message', () => {
    const { logger, lines } = captured('info', 'pretty');
    logger.warn({ workspaceId: 'w1', problem: 'two words' }, 'poll failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN  poll failed workspaceId=w1 problem="two words"\n$/);
  });

  it('the SDK adapter: our activity/workflow lines follow LOG_LEVEL, the SDK\'s own info lines are dropped unless debug', () => {
    const info = captured('info');
    const sdk = sdkLoggerAdapter(info.logger, 'info');
    sdk.info('Worker state changed', { sdkComponent: 'worker' });
    sdk.info('window done', { sdkComponent: 'activity', workflowId: 'wf', activityType: 'syncConversationWindow', workspaceId: 'w1' });
    sdk.warn('core warning', { sdkComponent: 'core', timestampNanos: 1n });
    expect(info.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['window done', 'core warning']);
    expect(JSON.parse(info.lines[0]!)).toMatchObject({ workflowId: 'wf', activityType: 'syncConversationWindow', workspaceId: 'w1' });

    const debug = captured('debug');
    sdkLoggerAdapter(debug.logger, 'debug').info('Worker state changed', { sdkComponent: 'worker' });
    expect(debug.lines).toHaveLength(1);
  });
});
