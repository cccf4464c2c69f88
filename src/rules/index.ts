// The rule language: parse, check, evaluate and print rules. Pure: no I/O, nothing outside this folder.

export type {
  Action,
  ActionShape,
  Condition,
  ConditionResult,
  EvalContext,
  Evaluation,
  ProjectInfo,
  ReferenceChecks,
  Rule,
  RuleError,
  RuleSet,
  RuleTrace,
  RuleWarning,
  Span,
} from './types.js';
export { decodeRuleText, type DecodeResult } from './decode.js';
export { parseRules } from './parser.js';
export { MAX_ID } from './cursor.js';
export { formatRuleError, formatRuleErrorWithSource } from './errors.js';
export { formatRules, formatRule, actionToText, conditionToText } from './format.js';
export { evaluateRules } from './evaluate.js';
export { checkReferences } from './references.js';
export { tokenize, isBlankOrComment, type Token, type TokenKind } from './lexer.js';
export { PHRASES, CONDITIONS, ACTIONS, type Phrase } from './phrases.js';
