// What the faces (API, CLI, web) need to speak of SMTP settings: the TLS choices, the default ports,
// and the shape of a change. The schema and the merge rules live in store/smtp-settings.ts.
// Only the import-free core is loaded: the CLI lists the TLS choices in --help without zod.
export { defaultSmtpPort, SMTP_TLS_MODES, type SmtpTlsMode } from '../store/smtp-settings-core.js';
export type { SmtpChanges, SmtpView } from '../store/smtp-settings.js';
