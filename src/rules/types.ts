// The public shapes of the rule language. Other modules code against exactly these, so changes here are
// API changes.

/**
 * A place in the rule text. `line` and `column` are 1-based; `endColumn` is exclusive (the column just
 * after the last character), so `endColumn - column` is the length. Columns count UTF-16 code units and a
 * tab counts as one column, which is what browser editors use.
 */
export interface Span {
  line: number;
  column: number;
  endColumn: number;
}

/** A project named in a rule: by id (TargetProcess), by code (`ACME`) or by a regex capture (`{code}`). */
export type ProjectRef = { id: number } | { code: string } | { capture: string };

/** A regular expression as written between slashes, with its flags (i, m, s). */
export interface RegexValue {
  source: string;
  flags: string;
}

/** A size as written (`5 MB`) and in bytes. */
export interface SizeValue {
  amount: number;
  unit: 'bytes' | 'KB' | 'MB' | 'GB';
  bytes: number;
}

/** The value one slot of a phrase was given; which one is fixed by the slot's type (see parts.ts). */
export type ArgValue = string | string[] | number | RegexValue | ProjectRef | SizeValue | null;

/**
 * One condition or action as written: `kind` names its definition (`'subject contains'`,
 * `'create bug'`, a plugin's words), `args` are its slots' values in order.
 */
export interface Clause {
  kind: string;
  args: ArgValue[];
  span: Span;
  /** Where each arg was written (null for an optional part left out); absent in hand-built clauses. */
  argSpans?: (Span | null)[];
}

export type Condition = Clause;
export type Action = Clause;

/** A condition expression: `not` binds tightest, then `and` (which may be left out), then `or`. */
export type Expr =
  | { kind: 'and'; items: Expr[]; span: Span }
  | { kind: 'or'; items: Expr[]; span: Span }
  | { kind: 'not'; item: Expr; span: Span }
  | { kind: 'condition'; condition: Condition; span: Span };

/** One parsed line. `source` is the line exactly as written (spans index into it). */
export interface Rule {
  line: number;
  source: string;
  /** null for a rule without `when`, which always matches. */
  when: Expr | null;
  actions: Action[];
}

export interface RuleSet {
  rules: Rule[];
}

export interface RuleError {
  line: number;
  column: number;
  endColumn: number;
  /**
   * The offending source text, clipped to 80 code units with '…' like every quote in `message` and
   * `suggestion` (`column` and `endColumn` stay exact); '' when the problem is the end of the line.
   */
  text: string;
  /** What would have been accepted at `column`, each quoted as it is written ("'then'", "end of line"). */
  expected: string[];
  message: string;
  suggestion?: string;
}

export interface RuleWarning {
  line: number;
  column: number;
  message: string;
}

/** What evaluation needs to know about a project. `undefined` from a lookup means unknown. */
export interface ProjectInfo {
  id: number;
  /** false when the project exists but is deleted */
  live: boolean;
  companyId: number | null;
}

export interface AttachmentView {
  name: string;
  type: string;
  size: number;
}

/**
 * The message as conditions see it: plain data, built once per message. Addresses are written
 * `Name <address>` (or the bare address) so that `from contains` finds a name as well as a domain.
 */
export interface MessageView {
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  /** To, Cc, Delivered-To and X-Original-To. */
  recipients: string[];
  /** The text part, or the HTML converted to text. */
  body: string;
  /** Every value of a header, by name case-insensitively; [] when absent. */
  header(name: string): string[];
  attachments: AttachmentView[];
  /** Size of the raw message in bytes. */
  size: number;
  sender: {
    email: string | null;
    /** A staff user, a known requester, or neither. */
    is: 'user' | 'requester' | 'unknown';
    companyId: number | null;
    companyName: string | null;
  };
}

export interface EvalContext {
  message: MessageView;
  project(id: number): ProjectInfo | undefined;
  projectByCode(code: string): ProjectInfo | undefined;
  /** A staff user's id by email, for `assign to`. */
  staff(email: string): number | undefined;
  teamExists(id: number): boolean;
}

/** How one condition (or compound) came out, for the trace. */
export interface ConditionResult {
  condition: Expr;
  matched: boolean;
  /** Why, in words; compounds explain each part ("not (…): from contains 'noreply' matched → false"). */
  reason: string;
}

export interface RuleTrace {
  rule: Rule;
  matched: boolean;
  /** The rule's top-level conditions (the parts of its `and`), each with its result. */
  conditions: ConditionResult[];
  reason: string;
}

export interface Evaluation {
  matched: Rule | null;
  /** Every rule tried, top to bottom, up to and including the matched one. */
  trace: RuleTrace[];
  /** How many rules were tried (the first ones of the set). */
  tried: number;
  /** The first `limit` entries of `trace`, and the matched rule's when it comes later: cheaper to build. */
  traceHead(limit: number): RuleTrace[];
  /** The matched rule's actions made concrete: projects resolved, captures filled in. */
  effects: Effect[];
  /** Actions of the matched rule that were left out or changed, and why. */
  warnings: string[];
}

export type ItemKind = 'request' | 'story' | 'bug' | 'task';

/** What a new item gets from the actions after its `create`. */
export interface ItemSettings {
  state: string | null;
  priority: string | null;
  severity: string | null;
  /** The staff user's email as written, and their id. */
  assignee: { email: string; userId: number } | null;
  tags: string[];
  fields: Record<string, string>;
}

/** A matched rule's work, concrete: what the engine carries out. */
export type Effect =
  | { kind: 'attach'; projectId: number }
  | {
      kind: 'create';
      item: ItemKind;
      projectId: number;
      visibility: 'private' | 'public';
      teamId: number | null;
      /** null: the subject ('(no subject)' when empty). */
      title: string | null;
      settings: ItemSettings;
    }
  | { kind: 'ignore'; reason: string | null }
  /** Mail the sender the profile's template `template` about the item the rule created (engine/outbox/). */
  | { kind: 'reply'; template: string };

export interface ReferenceChecks {
  projectExists(id: number): boolean;
  teamExists(id: number): boolean;
  /** Whether a project has this code; absent: codes are not checked. */
  projectCodeExists?(code: string): boolean;
  /** Whether a staff user has this email; absent: assignees are not checked. */
  staffExists?(email: string): boolean;
  /** Whether the profile has a reply template of this name; absent: templates are not checked. */
  templateExists?(name: string): boolean;
}
