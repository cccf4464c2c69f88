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

export type Condition =
  | { kind: 'subjectContains'; keywords: string[]; span: Span }
  | { kind: 'companyMatched'; projectId: number; span: Span };

export type Action =
  | { kind: 'attachToProject'; projectId: number; span: Span }
  | {
      kind: 'createRequest';
      projectId: number;
      visibility: 'private' | 'public';
      teamId: number | null;
      span: Span;
    };

/** An action without its place in the rule text: what a plan step holds, and what the formatter prints. */
export type ActionShape = Action extends infer A ? (A extends Action ? Omit<A, 'span'> : never) : never;

/** One parsed line. `source` is the line exactly as written (spans index into it). */
export interface Rule {
  line: number;
  source: string;
  conditions: Condition[];
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

/** What evaluation needs to know about a project. `undefined` from `EvalContext.project` means unknown. */
export interface ProjectInfo {
  /** false when the project exists but is deleted */
  live: boolean;
  companyId: number | null;
}

export interface EvalContext {
  subject: string;
  senderCompanyId: number | null;
  project(id: number): ProjectInfo | undefined;
}

export interface ConditionResult {
  condition: Condition;
  matched: boolean;
  reason: string;
}

export interface RuleTrace {
  rule: Rule;
  matched: boolean;
  conditions: ConditionResult[];
  reason: string;
}

export interface Evaluation {
  matched: Rule | null;
  /** Every rule tried, top to bottom, up to and including the matched one. */
  trace: RuleTrace[];
}

export interface ReferenceChecks {
  projectExists(id: number): boolean;
  teamExists(id: number): boolean;
}
