// Public surface of the IMAP source: polling (ImapSource), push notification (ImapWatcher) and
// Check Connection (imapCheckSteps).
export { ImapSource } from './source.js';
export { ImapWatcher, type ImapWatcherOptions, type NewMailReason } from './watcher.js';
export { imapCheckSteps, type CheckStep, type CheckStepName, type ImapCheckResult } from './check.js';
export { ImapSourceError, ImapTimeoutError, describeImapError } from './errors.js';
export { originKey, parseOriginKey, type ImapOrigin } from './origin.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, type ImapSourceOptions, type ImapTlsOptions,
} from './options.js';
