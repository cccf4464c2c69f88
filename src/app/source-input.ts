// What a face needs to accept mailbox settings: the protocol and TLS choices (light: no schema).
export { AUTH_METHODS, OAUTH_PROVIDERS, PROTOCOLS, TLS_MODES } from '../sources/settings-core.js';
export type { SourceSettingsInput } from '../sources/settings.js';
