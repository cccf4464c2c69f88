// Who asks: a signed-in account, an API token, or a person at the local command line (who owns the
// data dir and so may do anything). Every use case that changes something is told who, for the audit log.
import type { Role } from '../store/schema.js';

export type { Role };

export interface Principal {
  kind: 'account' | 'token' | 'cli';
  /** The account name, the token name, or the OS user at the command line. */
  name: string;
  role: Role;
  accountId?: number;
  tokenId?: number;
}

/** How the audit log names a principal: 'alice', 'token:ci', 'cli:root'. */
export function actorName(who: Principal): string {
  if (who.kind === 'account') return who.name;
  return `${who.kind}:${who.name}`;
}

/** The command line acts with the rights of whoever may read the data dir. */
export function cliPrincipal(user = process.env.USER ?? process.env.LOGNAME ?? 'local'): Principal {
  return { kind: 'cli', name: user, role: 'admin' };
}
