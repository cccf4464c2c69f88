// What the faces (API, CLI, web) need to speak of SMTP settings: the TLS choices, the default ports,
// and the shape of a change. The schema and the merge rules live in store/smtp-settings.ts.
export { defaultSmtpPort, SMTP_TLS_MODES, type SmtpChanges, type SmtpTlsMode, type SmtpView } from '../store/smtp-settings.js';
