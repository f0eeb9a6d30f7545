import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  /** A second, unrelated CA: trusting it instead of `ca` must fail. */
  otherCa: Pem;
  /** For the name `temporal.test` (and localhost, 127.0.0.1), signed by `ca`. */
  server: Pem;
  /** A client certificate signed by `ca`. */
  client: Pem;
  /** A client certificate signed by `otherCa`: a server trusting only `ca` must refuse it. */
  strangerClient: Pem;
  remove(): void;
}

export const SERVER_NAME = 'temporal.test';

// Node's crypto cannot sign X.509, so the openssl CLI makes a small PKI for each test file.
function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function pem(dir: string, name: string): Pem {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

function makeCa(dir: string, name: string): Pem {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pem(dir, name);
}

function makeLeaf(dir: string, name: string, ca: string, extensions: string): Pem {
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  return pem(dir, name);
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'intercom-sync-pki-'));
  const ca = makeCa(dir, 'test-ca');
  const otherCa = makeCa(dir, 'other-ca');
  const server = makeLeaf(dir, 'server', 'test-ca', `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${SERVER_NAME},DNS:localhost,IP:127.0.0.1`);
  const client = makeLeaf(dir, 'client', 'test-ca', 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:intercom-sync-worker');
  const strangerClient = makeLeaf(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:stranger');
  return { dir, ca, otherCa, server, client, strangerClient, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
