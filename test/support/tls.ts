// A throwaway test PKI made with the openssl CLI: one CA and one server certificate it signs.
//
// Tests trust the CA explicitly (`ca: pki.caCert`), so they can also check the refusals a real user would
// meet: no CA given → "self-signed certificate in certificate chain"; servername that is not in the
// certificate → ERR_TLS_CERT_ALTNAME_INVALID; `expired: true` → CERT_HAS_EXPIRED.
// EC P-256 keys keep generation at a few milliseconds.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPkiOptions {
  /** Subject alternative names of the server certificate (default: DNS localhost and IP 127.0.0.1). */
  altNames?: string[];
  /**
   * Issue the server certificate already expired. `openssl x509 -days -1` gives notAfter = yesterday,
   * which verifies as CERT_HAS_EXPIRED; no faketime needed.
   */
  expired?: boolean;
}

export interface TestPki {
  /** CA certificate (PEM): what clients pass as `ca` to trust the server. */
  caCert: string;
  caCertPath: string;
  /** Server certificate followed by the CA certificate (PEM), as a server should present the chain. */
  certChainPath: string;
  /** Server certificate alone (PEM). */
  certPath: string;
  keyPath: string;
}

/** Writes `ca.pem`, `ca.key`, `server.pem`, `server-chain.pem` and `server.key` into `dir` (created if missing). */
export async function createTestPki(dir: string, opts: TestPkiOptions = {}): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  const p = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-days', '3', '-subj', '/CN=mailbind test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', p('ca.key'), '-out', p('ca.pem')]);
  await openssl(['req', ...ec, '-subj', '/CN=localhost', '-keyout', p('server.key'), '-out', p('server.csr')]);
  const altNames = opts.altNames ?? ['DNS:localhost', 'IP:127.0.0.1'];
  await writeFile(p('server.ext'), [
    `subjectAltName=${altNames.join(',')}`,
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  await openssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'),
    '-set_serial', String(Date.now()), '-days', opts.expired ? '-1' : '3', '-extfile', p('server.ext'),
    '-out', p('server.pem')]);
  const caCert = await readFile(p('ca.pem'), 'utf8');
  await writeFile(p('server-chain.pem'), (await readFile(p('server.pem'), 'utf8')) + caCert);
  return { caCert, caCertPath: p('ca.pem'), certChainPath: p('server-chain.pem'), certPath: p('server.pem'), keyPath: p('server.key') };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}
