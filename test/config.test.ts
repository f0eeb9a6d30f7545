import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/intercom_sync');
    expect(c.TEMPORAL_TASK_QUEUE).toBe('intercom-sync');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/TOKEN_ENCRYPTION_KEY: must be 32 bytes/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
  });

  it('bounds database waits by default, and names a wrong timeout', () => {
    const c = loadConfig({});
    expect([c.DATABASE_CONNECT_TIMEOUT_MS, c.DATABASE_STATEMENT_TIMEOUT_MS, c.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS]).toEqual([10_000, 60_000, 60_000]);
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).DATABASE_STATEMENT_TIMEOUT_MS).toBe(0);
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '-5' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ INTERCOM_CLIENT_ID: '' }).INTERCOM_CLIENT_ID).toBeUndefined();
  });
});
