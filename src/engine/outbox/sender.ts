// Sending the outbox: claim due mail, send each through its profile's SMTP server, and record the
// attempt. Exactly once as far as SMTP allows: a mail is marked sent in its own short transaction the
// moment the server accepts it. SMTP has no idempotency key, so a crash in that window (after the
// server's 250, before the commit) sends the mail again once the claim runs out: at worst a duplicate,
// never a loss. Failures wait 30 s, 2 min, 8 min, 32 min; the fifth is final, as for inbox items.
import { runDueLoop, type LoopOptions } from '../loop.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../../store/database.js';
import { claimDueMail, markSent, recordSendFailure, type OutboxMail } from '../../store/outbox.js';
import { findProfile } from '../../store/profiles.js';
import type { SecretBox } from '../../store/secrets.js';
import { resolveSmtp } from '../../store/smtp-settings-core.js';
import { describeSmtpError, sendOne, type SmtpExtras } from './smtp.js';

export interface OutboxSenderOptions {
  store: Store;
  secrets: SecretBox;
  logger?: Logger;
  /** Who claims: the service's id, or a command's own. */
  owner?: string;
  extras?: SmtpExtras;
  /** The loop header's value on every mail: the installation's Message-ID domain. */
  loopMarker: string;
}

export interface SendOutcome {
  id: number;
  state: 'sent' | 'pending' | 'failed';
  response: string;
}

export class OutboxSender {
  private readonly owner: string;

  constructor(private readonly options: OutboxSenderOptions) {
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Send what is due (optionally only these ids) until none is left or `limit` is reached. */
  async sendDue(filter: { ids?: number[]; limit?: number; signal?: AbortSignal } = {}): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    const limit = filter.limit ?? Infinity;
    while (outcomes.length < limit && !filter.signal?.aborted) {
      // One claim a mail: a slow server can take minutes over a batch, and a claim that ran out meanwhile
      // would let another worker send the rest again.
      const batch = await claimDueMail(this.options.store, {
        limit: 1,
        owner: this.owner,
        ...(filter.ids ? { ids: filter.ids } : {}),
      });
      if (batch.length === 0) break;
      for (const mail of batch) outcomes.push(await this.sendClaimed(mail));
    }
    return outcomes;
  }

  private async sendClaimed(mail: OutboxMail): Promise<SendOutcome> {
    const { store, secrets, logger } = this.options;
    const profile = await findProfile(store.db, mail.profileId);
    let settings;
    try {
      settings = profile ? resolveSmtp(profile.smtp, secrets) : null;
    } catch (error) {
      return this.failed(mail, { code: null, response: `cannot read the SMTP settings: ${(error as Error).message}`, permanent: false });
    }
    if (!settings) return this.failed(mail, { code: null, response: 'the profile has no SMTP settings (any more)', permanent: true });
    try {
      const { response } = await sendOne(
        settings,
        {
          from: { name: settings.fromName, address: settings.fromAddress },
          to: { name: mail.recipientName, address: mail.recipient },
          subject: mail.subject,
          text: mail.bodyText,
          html: mail.bodyHtml,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references,
          replyTo: mail.replyTo,
          loopMarker: this.options.loopMarker,
        },
        this.options.extras,
      );
      // The window SMTP leaves open: keep it to this one update.
      const marked = await markSent(store.db, mail, response);
      if (!marked) logger?.warn({ mail: mail.id }, 'sent, but the claim had passed to another worker: it may send this mail again');
      logger?.info({ mail: mail.id, profile: mail.profileId, item: mail.itemId, kind: mail.kind }, 'mail sent');
      return { id: mail.id, state: 'sent', response };
    } catch (error) {
      const failure = describeSmtpError(error, settings);
      return this.failed(mail, failure);
    }
  }

  private async failed(mail: OutboxMail, failure: { code: number | null; response: string; permanent: boolean }): Promise<SendOutcome> {
    const updated = await recordSendFailure(this.options.store.db, mail, failure);
    const final = updated.state === 'failed';
    this.options.logger?.[final ? 'error' : 'warn'](
      { mail: mail.id, profile: mail.profileId, item: mail.itemId, code: failure.code, err: failure.response, attempts: updated.attempts },
      final ? 'mail not sent: giving up' : 'mail not sent; will retry',
    );
    return { id: mail.id, state: final ? 'failed' : 'pending', response: failure.response };
  }
}

/** The sending loop a service runs beside processing: send what is due, then wait a little. */
export function runOutboxLoop(sender: OutboxSender, options: LoopOptions): Promise<void> {
  return runDueLoop('sending', async (signal) => (await sender.sendDue({ limit: 50, signal })).length, options);
}
