// Which source serves which protocol, and how the shared connection extras (extra CA, source
// address, timeouts) become each protocol's options. Composition roots (CLI, service) hand this to
// the scheduler.
import type { Logger } from 'pino';
import type { ConnectionExtras } from './connection-extras.js';
import { ImapSource, ImapWatcher, type ImapSourceOptions } from './imap/index.js';
import { Pop3Source } from './pop3/source.js';
import type { SourceFactory, Watcher } from './scheduler.js';
import type { ResolvedSettings } from './settings.js';

export function imapOptions(extras: ConnectionExtras): ImapSourceOptions {
  const tlsOptions = {
    ...(extras.ca ? { ca: extras.ca } : {}),
    ...(extras.servername ? { servername: extras.servername } : {}),
    ...(extras.localAddress ? { localAddress: extras.localAddress } : {}),
  };
  return {
    ...(Object.keys(tlsOptions).length ? { tlsOptions } : {}),
    ...(extras.timeoutMs ? { connectTimeoutMs: extras.timeoutMs, commandTimeoutMs: extras.timeoutMs } : {}),
  };
}

export const defaultSources: SourceFactory = {
  source(settings, extras) {
    if (settings.protocol === 'pop3') return new Pop3Source(extras);
    if (settings.protocol === 'imap') return new ImapSource(imapOptions(extras));
    return null;
  },
  watch(settings: ResolvedSettings, extras: ConnectionExtras, onNewMail: () => void, logger?: Logger,
    credentials?: () => Promise<ResolvedSettings>): Watcher | null {
    if (settings.protocol !== 'imap') return null;
    const watcher = new ImapWatcher({
      settings, onNewMail, ...(logger ? { logger } : {}), ...(credentials ? { credentials } : {}), ...imapOptions(extras),
    });
    // The watcher logs its own connection failures (once per distinct failure) and reconnects by itself.
    watcher.on('disconnected', (error: Error) => logger?.debug({ err: error?.message }, 'IMAP watcher disconnected'));
    watcher.start();
    return watcher;
  },
};
