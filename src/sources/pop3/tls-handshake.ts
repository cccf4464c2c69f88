// The TLS handshake on an already connected socket: right after connecting for POP3S (tls mode), or after
// "+OK" to STLS (starttls mode). Certificate problems surface as Pop3Error step 'tls' with the OpenSSL/Node
// code (SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …) for describe.ts.
import net from 'node:net';
import tls from 'node:tls';
import { Pop3Error } from './errors.js';

export interface TlsUpgradeOptions {
  host: string;
  servername?: string;
  ca?: string | Buffer | Array<string | Buffer>;
  allowInvalidCertificate?: boolean;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  /** Whether the certificate chain and host name verified. False only with allowInvalidCertificate. */
  authorized: boolean;
  /** Why verification failed, when it did (allowed by allowInvalidCertificate). */
  authorizationError?: string;
  /** Subject CN and expiry of the server certificate. */
  subject?: string;
  validTo?: string;
}

/** Runs the handshake over `raw` (whose own listeners the caller removed). Destroys both sockets on failure. */
export function handshake(raw: net.Socket, o: TlsUpgradeOptions, timeoutMs: number): Promise<{ socket: tls.TLSSocket; info: TlsInfo }> {
  // From here the TLS socket reports failures; keep a stray error on the plain one from crashing the process.
  raw.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    // SNI must be a name (RFC 6066); for an IP host Node checks the certificate against `host` instead.
    const servername = o.servername ?? (net.isIP(o.host) ? undefined : o.host);
    const secure = tls.connect({
      socket: raw,
      host: o.host,
      ...(servername ? { servername } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      rejectUnauthorized: !o.allowInvalidCertificate,
    });
    const fail = (err: Pop3Error) => {
      clearTimeout(timer);
      secure.removeAllListeners('secureConnect');
      secure.destroy();
      raw.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Pop3Error('timeout', `no response from the server within ${timeoutMs} ms (tls)`, { during: 'tls' })), timeoutMs);
    const onError = (err: NodeJS.ErrnoException) =>
      fail(new Pop3Error('tls', `TLS handshake failed: ${err.message}`, { code: err.code, cause: err }));
    const onClose = () => fail(new Pop3Error('tls', 'the server closed the connection during the TLS handshake'));
    secure.once('error', onError);
    secure.once('close', onClose);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeListener('error', onError);
      secure.removeListener('close', onClose);
      const cert = secure.getPeerCertificate();
      resolve({
        socket: secure,
        info: {
          protocol: secure.getProtocol(),
          cipher: secure.getCipher().name,
          authorized: secure.authorized,
          ...(secure.authorizationError ? { authorizationError: String(secure.authorizationError) } : {}),
          ...(cert && cert.subject ? { subject: String(cert.subject.CN ?? ''), validTo: cert.valid_to } : {}),
        },
      });
    });
  });
}
