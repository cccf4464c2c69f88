// The rule language: parse, check, evaluate and print rules. Pure: no I/O, nothing outside this folder.

export type {
  Action,
  ArgValue,
  AttachmentView,
  Clause,
  Condition,
  ConditionResult,
  Effect,
  EvalContext,
  Evaluation,
  Expr,
  ItemKind,
  ItemSettings,
  MessageView,
  ProjectInfo,
  ProjectRef,
  ReferenceChecks,
  RegexValue,
  Rule,
  RuleError,
  RuleSet,
  RuleTrace,
  RuleWarning,
  SizeValue,
  Span,
} from './types.js';
export { decodeRuleText, type DecodeResult } from './decode.js';
export { parseRules } from './parser.js';
export { MAX_ID } from './cursor.js';
export { formatRuleError, formatRuleErrorWithSource } from './errors.js';
export { formatRules, formatRule, actionToText, conditionToText, exprToText, effectToText } from './format.js';
export { evaluateRules } from './evaluate.js';
export { checkReferences } from './references.js';
export { tokenize, isBlankOrComment, type Token, type TokenKind } from './lexer.js';
export { keywordPhrases, conditionLeads, actionLeads, type Phrase } from './phrases.js';
export { vocabulary, usePlugins, type PhraseGroup } from './vocabulary.js';
export type { ActionDefinition, ActionStep, ConditionDefinition, PluginPhrase, Verdict, EvalScope } from './language.js';
export { ITEM_STATES, normalizeState } from './actions.js';
export { PROJECT_CODE, projectCodeProblem } from './slots.js';
export { MAX_SCANNED } from './conditions.js';
