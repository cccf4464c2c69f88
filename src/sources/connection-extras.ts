// Connection details that are not profile settings: an extra CA to trust, the name to verify the
// certificate against, the local address to connect from, and timeouts. Production takes extra CAs
// from NODE_EXTRA_CA_CERTS like every Node program; tests pass their throwaway CA here.
export interface ConnectionExtras {
  ca?: string;
  servername?: string;
  localAddress?: string;
  /** Per step: connect, TLS, greeting, each command, each pause in a download. */
  timeoutMs?: number;
}

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
