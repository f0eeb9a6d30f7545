import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { configuredTarget } from '../../src/temporal/connection';
import { createTestPki, type TestPki } from './certs';

const KEY = 'tmprl-config-test-key-0123456789';

describe('TEMPORAL_* connection settings', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki?.remove());

  const address = { TEMPORAL_ADDRESS: 'temporal.example:7233' };
  const message = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`accepted: ${JSON.stringify(env)}`);
  };

  it('names the variable and the path of a file that is missing or is not what it should be', () => {
    expect(message({ ...address, TEMPORAL_TLS_CA: '/nonexistent/ca.pem' })).toContain('TEMPORAL_TLS_CA: file not found: /nonexistent/ca.pem');
    expect(message({ ...address, TEMPORAL_TLS_CERT: '/x', TEMPORAL_TLS_KEY: pki.client.keyPath })).toContain('TEMPORAL_TLS_CERT: file not found: /x');
    // A key given where the certificate belongs, and the other way round.
    const swapped = message({ ...address, TEMPORAL_TLS_CERT: pki.client.keyPath, TEMPORAL_TLS_KEY: pki.client.certPath });
    expect(swapped).toContain(`TEMPORAL_TLS_CERT: ${pki.client.keyPath} holds no PEM certificate`);
    expect(swapped).toContain(`TEMPORAL_TLS_KEY: ${pki.client.certPath} holds no PEM private key`);
    expect(message({ ...address, TEMPORAL_TLS_CA: pki.dir })).toMatch(/TEMPORAL_TLS_CA: cannot read .*EISDIR/);
  });

  it('refuses a certificate without its key, a key without its certificate, and TLS settings that cannot work', () => {
    expect(message({ ...address, TEMPORAL_TLS_CERT: pki.client.certPath })).toContain('TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT');
    expect(message({ ...address, TEMPORAL_TLS_KEY: pki.client.keyPath })).toContain('TEMPORAL_TLS_CERT: required with TEMPORAL_TLS_KEY');
    expect(message({ ...address, TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: pki.ca.certPath })).toContain('TEMPORAL_TLS: is false, but TEMPORAL_TLS_CA needs TLS');
    expect(message({ TEMPORAL_TLS: 'true' })).toContain('TEMPORAL_ADDRESS: required with TEMPORAL_TLS: the embedded dev server has no TLS');
    expect(message({ ...address, TEMPORAL_TLS: 'maybe' })).toContain('TEMPORAL_TLS: must be true or false');
    expect(message({ TEMPORAL_ADDRESS: 'temporal.example' })).toContain('TEMPORAL_ADDRESS: must be host:port');
  });

  it('an API key implies TLS, is refused in the clear, and is never in an error message', () => {
    const withKey = message({ ...address, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: KEY });
    expect(withKey).toContain('TEMPORAL_TLS: is false, but TEMPORAL_API_KEY needs TLS');
    expect(withKey).not.toContain(KEY);
    expect(message({ TEMPORAL_API_KEY: KEY })).not.toContain(KEY);

    const target = configuredTarget(loadConfig({ ...address, TEMPORAL_API_KEY: `  ${KEY}\n` }));
    expect(target.tls).toEqual({});
    expect(target.apiKey).toBe(KEY);
    expect(target.settings.join(' ')).not.toContain(KEY);
  });

  it('builds the TLS options from the files: CA, server name, client pair; plaintext by default', () => {
    expect(configuredTarget(loadConfig(address)).tls).toBeUndefined();
    const t = configuredTarget(
      loadConfig({ ...address, TEMPORAL_NAMESPACE: 'prod.a1b2c', TEMPORAL_TLS_CA: pki.ca.certPath, TEMPORAL_TLS_SERVER_NAME: 'temporal.test', TEMPORAL_TLS_CERT: pki.client.certPath, TEMPORAL_TLS_KEY: pki.client.keyPath }),
    );
    expect(t).toMatchObject({ address: 'temporal.example:7233', namespace: 'prod.a1b2c', connectTimeoutMs: 10_000 });
    expect(Buffer.from(t.tls?.serverRootCACertificate ?? [])).toEqual(pki.ca.cert);
    expect(t.tls?.serverNameOverride).toBe('temporal.test');
    expect(Buffer.from(t.tls?.clientCertPair?.crt ?? [])).toEqual(pki.client.cert);
    expect(Buffer.from(t.tls?.clientCertPair?.key ?? [])).toEqual(pki.client.key);
    // TEMPORAL_TLS=true alone: TLS with the system's trust store (Temporal Cloud with mTLS or a public certificate).
    expect(configuredTarget(loadConfig({ ...address, TEMPORAL_TLS: 'true' })).tls).toEqual({});
    expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).TEMPORAL_ADDRESS).toBe('[::1]:7233');
  });

  it('a key file that starts with another PEM block still counts when it holds a private key', () => {
    const path = join(pki.dir, 'bundle.key');
    writeFileSync(path, `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${pki.client.key.toString()}`);
    expect(loadConfig({ ...address, TEMPORAL_TLS_CERT: pki.client.certPath, TEMPORAL_TLS_KEY: path }).TEMPORAL_TLS_KEY).toBe(path);
  });
});
