// Which source serves which protocol. Composition roots (CLI, service) hand this to the scheduler.
import type { Logger } from 'pino';
import type { ConnectionExtras } from './connection-extras.js';
import { Pop3Source } from './pop3/source.js';
import type { SourceFactory, Watcher } from './scheduler.js';
import type { ResolvedSettings } from './settings.js';
import type { MailSource } from './source.js';

type WatchFn = (settings: ResolvedSettings, extras: ConnectionExtras, onNewMail: () => void, logger?: Logger) => Watcher | null;

const sources: Record<string, (extras: ConnectionExtras) => MailSource> = {
  pop3: (extras) => new Pop3Source(extras),
};
const watchers: Record<string, WatchFn> = {};

export function registerSource(protocol: string, make: (extras: ConnectionExtras) => MailSource, watch?: WatchFn): void {
  sources[protocol] = make;
  if (watch) watchers[protocol] = watch;
}

export const defaultSources: SourceFactory = {
  source: (settings, extras) => sources[settings.protocol]?.(extras) ?? null,
  watch: (settings, extras, onNewMail, logger) => watchers[settings.protocol]?.(settings, extras, onNewMail, logger) ?? null,
};
