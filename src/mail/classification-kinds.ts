// The kinds of mail the classifier tells apart, in one list. The classifier returns them, the engine
// writes them into the outcome reason ("bounce: …"), the web UI shows them: all take them from here,
// so a new kind is one entry. No imports: the web UI compiles this file too.

export const CLASSIFICATION_KINDS = [
  /** A person wrote it (or a form on a person's behalf): the only kind rules ever see. */
  'human',
  /** Our own outgoing mail come back. */
  'own-loop',
  /** A complaint (abuse) report from a mailbox provider's feedback loop: ARF or a provider's own format. */
  'feedback',
  /** A challenge-response system asking the sender to prove they are a person (Boxbe, Bluebottle, …). */
  'challenge',
  /** A delivery failure or delay report (DSN, or an MTA's free-text equivalent). */
  'bounce',
  /** Out-of-office and other automatic answers, read receipts included (RFC 3834). */
  'auto-reply',
  /** Bulk and junk mail (Precedence: bulk or junk; a list header with a bulk-sender signal). */
  'bulk',
] as const;

export type ClassificationKind = (typeof CLASSIFICATION_KINDS)[number];

export interface Classification {
  kind: ClassificationKind;
  /** The signal that decided, naming the header (or body line), e.g. `Auto-Submitted: auto-replied`. */
  reason: string;
}
