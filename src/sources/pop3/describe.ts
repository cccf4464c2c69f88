// Plain-words explanations of POP3 failures for people (Check Connection, profile status). The Pop3Error
// itself stays technical (step, codes, server text); this maps it to what to do about it.
import type { Pop3Error } from './errors.js';
import type { Pop3Options } from './options.js';

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is signed by a self-signed (private) certificate authority that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is signed by an unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'the server certificate is signed by an unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server certificate is signed by an unknown certificate authority',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet (check the clocks)',
  CERT_REVOKED: 'the server certificate was revoked',
};

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections on that port (connection refused): check the host and port',
  ENOTFOUND: 'the host name could not be resolved: check the spelling',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS problem)',
  ETIMEDOUT: 'the server could not be reached (connection timed out)',
  EHOSTUNREACH: 'the server could not be reached (no route to host)',
  ENETUNREACH: 'the server could not be reached (network unreachable)',
  ECONNRESET: 'the server closed the connection abruptly',
  EADDRNOTAVAIL: 'the local address to connect from is not available',
};

export function describePop3Error(err: Pop3Error, opts?: Pick<Pop3Options, 'host' | 'port' | 'tls' | 'servername'>): string {
  const code = err.code ?? '';
  const server = err.serverText ? ` (server: "${err.serverText}")` : '';
  if (code === 'ERR_POP3_PROTOCOL') {
    const what = err.step === 'greeting' ? 'did not greet like a POP3 server' : 'sent a reply that is not POP3';
    return `the server ${what}${server}: check the port and the TLS mode`;
  }
  switch (err.step) {
    case 'connect':
      return NET_CODES[code] ?? `could not connect: ${err.message}`;
    case 'timeout': {
      const what = err.during === 'greeting' && opts?.tls === 'starttls'
        ? '; if this is the TLS port (995), choose TLS instead of STARTTLS'
        : '';
      return `the server did not answer in time (${err.during ?? 'unknown step'})${what}`;
    }
    case 'tls': {
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        const name = opts?.servername ?? opts?.host ?? 'the host';
        return `the server certificate is not valid for ${name} (wrong host name): ${err.message}`;
      }
      if (TLS_CODES[code]) {
        // An unknown issuer is fixed by trusting the CA; a bad date or revocation only by the server's admin.
        const fix = /EXPIRED|NOT_YET_VALID|REVOKED/.test(code)
          ? 'the server needs a new certificate (or allow invalid certificates if you trust this network)'
          : 'add its CA certificate, or allow invalid certificates if you trust this network';
        return `${TLS_CODES[code]}: ${fix}`;
      }
      if (/wrong version number|unknown protocol|packet length too long/i.test(err.message)) {
        return 'the server does not speak TLS on this port: use STARTTLS or no TLS here, or the TLS port (995)';
      }
      return `the TLS connection failed: ${err.message}`;
    }
    case 'stls':
      return err.serverText === undefined && /does not offer/.test(err.message)
        ? 'the server does not offer STARTTLS (STLS) on this port: use TLS (port 995) or no encryption'
        : `the server refused STARTTLS${server}`;
    case 'greeting':
      return err.serverText !== undefined ? `the server refused the session${server}` : `no greeting: ${err.message}`;
    case 'capa':
      return `the server failed while listing its capabilities: ${err.message}`;
    case 'auth':
      return describeAuth(err, server);
    case 'command':
      return err.serverText !== undefined ? `the server refused a command${server}` : err.message;
  }
}

function describeAuth(err: Pop3Error, server: string): string {
  const text = err.serverText ?? '';
  if (/plaintext|ssl\/tls|not secure|non-secure|encrypt/i.test(text)) {
    return `the server requires TLS before login: choose TLS or STARTTLS${server}`;
  }
  switch (err.responseCode?.toUpperCase()) {
    case 'IN-USE':
      return `the mailbox is in use by another POP3 session; try again later${server}`;
    case 'LOGIN-DELAY':
      return `the server asks to wait longer between logins${server}`;
    case 'SYS/TEMP':
      return `the server has a temporary problem; try again later${server}`;
    case 'SYS/PERM':
      return `the server has a problem with this mailbox${server}`;
  }
  if (err.serverText === undefined) return `login failed: ${err.message}`;
  return `the server refused the login or password${server}`;
}
