// Sending the outbox: claim due mail, send each through its profile's SMTP server, and record the
// attempt. Exactly once as far as SMTP allows: a mail is marked sent in its own short transaction the
// moment the server accepts it. SMTP has no idempotency key, so a crash in that window (after the
// server's 250, before the commit) sends the mail again once the claim runs out: at worst a duplicate,
// never a loss. A database error there is tried again a few times and never recorded as a failed
// send (that would send it again at once); should it persist, the row stays 'sending' until its claim
// runs out. Each send has a deadline well inside the claim, so a slow server cannot outlast it.
// Failures wait 30 s, 2 min, 8 min, 32 min; the fifth is final, as for inbox items.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../../store/database.js';
import { claimDueMail, markSent, recordSendFailure, SEND_LEASE_MS, type OutboxMail } from '../../store/outbox.js';
import { installationSecret, REPLY_TOKEN_KEY } from '../../store/installation-secrets.js';
import { findProfile } from '../../store/profiles.js';
import type { SecretBox } from '../../store/secrets.js';
import { resolveSmtp } from '../../store/smtp-settings-core.js';
import { runDueLoop, type LoopOptions } from '../loop.js';
import { makeBounceToken, replyTokenAddress } from './reply-token.js';
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
  /** Records a mail the server accepted (store/outbox.ts markSent); tests wrap it to make it fail. */
  markSent?: typeof markSent;
  /** The waits before each further try of recording a sent mail. */
  markSentRetryMs?: readonly number[];
  /** The longest one mail may take, connecting to the server's 250: well inside the claim. */
  sendDeadlineMs?: number;
}

/** Two minutes of a five-minute claim: the rest is room to record the outcome. */
export const SEND_DEADLINE_MS = Math.floor((SEND_LEASE_MS * 2) / 5);
const MARK_SENT_RETRY_MS = [200, 1000, 5000] as const;

export interface SendOutcome {
  id: number;
  state: 'sent' | 'pending' | 'failed';
  response: string;
}

export class OutboxSender {
  private readonly owner: string;
  private tokenKey: Promise<Buffer> | null = null;

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
    let response: string;
    const deadline = AbortSignal.timeout(this.options.sendDeadlineMs ?? SEND_DEADLINE_MS);
    try {
      ({ response } = await sendOne(
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
          returnPath: await this.returnPath(mail, settings.fromAddress),
        },
        this.options.extras,
        deadline,
      ));
    } catch (error) {
      return this.failed(mail, describeSmtpError(error, settings));
    }
    // Past the server's 250 nothing may count as a failed send: that would send the mail again.
    await this.recordSent(mail, response);
    return { id: mail.id, state: 'sent', response };
  }

  /**
   * Our VERP envelope sender for this mail, `support+b<token>@…`: a bounce comes back to it and names the
   * outbox row even when it quotes no Message-ID. Without the key (it cannot be read) the plain From
   * address: the mail matters more than finding its bounce.
   */
  private async returnPath(mail: OutboxMail, fromAddress: string): Promise<string | null> {
    const { store, secrets, logger } = this.options;
    try {
      const key = await (this.tokenKey ??= installationSecret(store.db, secrets, REPLY_TOKEN_KEY));
      return replyTokenAddress(fromAddress, makeBounceToken(key, mail.id));
    } catch (error) {
      this.tokenKey = null;
      logger?.warn({ mail: mail.id, err: (error as Error).message }, 'the token key cannot be read: sending with the plain return address');
      return null;
    }
  }

  /**
   * The window SMTP leaves open: record the 250, trying again on a database error. Should every try
   * fail, the row stays 'sending' and is sent again when its claim runs out (a duplicate, not a loss).
   */
  private async recordSent(mail: OutboxMail, response: string): Promise<void> {
    const { store, logger } = this.options;
    const record = this.options.markSent ?? markSent;
    const waits = this.options.markSentRetryMs ?? MARK_SENT_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const marked = await record(store.db, mail, response);
        if (!marked) logger?.warn({ mail: mail.id }, 'sent, but the claim had passed to another worker: it may send this mail again');
        logger?.info({ mail: mail.id, profile: mail.profileId, item: mail.itemId, kind: mail.kind }, 'mail sent');
        return;
      } catch (error) {
        const wait = waits[attempt];
        if (wait === undefined) {
          logger?.error(
            { mail: mail.id, err: (error as Error).message, response },
            "mail sent, but recording it failed: it stays 'sending' and is sent again when its claim runs out",
          );
          return;
        }
        logger?.warn({ mail: mail.id, err: (error as Error).message }, 'mail sent, but recording it failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
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
