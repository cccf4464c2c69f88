// Rules as the API speaks them: errors at line:column with the suggestion, the dry run's answer
// (the matched rule, why each earlier rule did not match, the plan), preview and history, and the
// phrases plugins add.
import { z } from '@hono/zod-openapi';
import type { PluginPhrase } from '../../app/vocabulary.js';

export const RuleErrorSchema = z
  .object({
    line: z.number().int(),
    column: z.number().int(),
    endColumn: z.number().int(),
    message: z.string(),
    suggestion: z.string().optional(),
  })
  .openapi('RuleError');

export const RuleWarningSchema = z.object({ line: z.number().int(), column: z.number().int(), message: z.string() }).openapi('RuleWarningEntry');

export const ValidateResult = z.object({ ok: z.boolean(), rules: z.number().int(), errors: z.array(RuleErrorSchema), warnings: z.array(RuleWarningSchema) }).openapi('RulesValidation');

export const TestRequest = z
  .object({
    rules: z.string().optional().openapi({ description: "rules to try; default: the profile's saved rules" }),
    profileId: z.number().int().positive().optional(),
    raw: z.string().optional().openapi({ description: 'the message as text (RFC 5322)' }),
    rawBase64: z.string().optional().openapi({ description: 'the message bytes, base64 (for 8-bit mail)' }),
    messageId: z.number().int().positive().optional().openapi({ description: 'a stored message (inbox id) instead of raw' }),
  })
  .openapi('RulesTestRequest');

export const DryRunSchema = z
  .object({
    messageId: z.string(),
    subject: z.string(),
    outcome: z.string(),
    reason: z.string().nullable(),
    rule: z.number().int().nullable(),
    actions: z.array(z.string()),
    steps: z.array(z.unknown()),
    requesters: z.array(z.unknown()),
    trace: z.unknown().openapi({ description: 'every rule checked before the match, with why it did not match, condition by condition' }),
  })
  .passthrough()
  .openapi('DryRun');

const Decision = z.object({ outcome: z.string().nullable(), rule: z.number().int().nullable().optional(), actions: z.array(z.string()) });
export const PreviewRequest = z
  .object({
    rules: z.string(),
    profileId: z.number().int().positive(),
    last: z.number().int().min(1).max(5000).default(100),
    offset: z.number().int().min(0).max(5000).default(0).openapi({ description: 'skip the newest `offset` messages first (shifts when mail arrives between windows: prefer `before`)' }),
    before: z.number().int().positive().optional().openapi({ description: 'examine only messages older than this one: the `lastId` of the previous window, to preview a long stretch in windows exactly' }),
  })
  .openapi('RulesPreviewRequest');
export const PreviewResult = z
  .object({
    examined: z.number().int(),
    lastId: z.number().int().nullable().openapi({ description: 'the oldest message examined: pass it as `before` for the next window; null when none was' }),
    unreadable: z.number().int(),
    ms: z.number(),
    changed: z.array(
      z.object({
        itemId: z.number().int(),
        subject: z.string().nullable(),
        from: z.string().nullable(),
        receivedAt: z.string(),
        recorded: Decision,
        before: Decision,
        after: Decision,
      }),
    ),
  })
  .openapi('RulesPreview');

export const RulesVersion = z
  .object({ version: z.number().int(), author: z.string(), comment: z.string().nullable(), createdAt: z.string(), current: z.boolean(), lines: z.number().int() })
  .openapi('RulesVersion');
export const RulesVersionText = RulesVersion.extend({ rules: z.string() }).openapi('RulesVersionWithText');
export const RulesDiff = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    unified: z.string(),
    hunks: z.array(z.object({ fromLine: z.number().int(), fromLines: z.number().int(), toLine: z.number().int(), toLines: z.number().int(), lines: z.array(z.string()) })),
  })
  .openapi('RulesDiff');

export const PluginPhraseSchema = z
  .object({
    kind: z.enum(['condition', 'action']),
    pattern: z.string().openapi({ description: 'how it is written: words, {slots}, [optional words {slot}]', example: 'spam score above {number:score}' }),
    help: z.string(),
    alsoWritten: z.array(z.string()).optional().openapi({ description: 'other spellings that mean the same' }),
    role: z.enum(['create', 'modifier', 'alone', 'plain']).optional().openapi({ description: 'actions only' }),
    onlyFor: z.array(z.enum(['request', 'story', 'bug', 'task'])).optional().openapi({ description: 'modifiers only: the kinds of item they apply to' }),
    origin: z.string().openapi({ description: 'the plugin it comes from', example: 'spam-score' }),
  })
  .openapi('PluginPhrase');
export const RulesVocabulary = z.object({ phrases: z.array(PluginPhraseSchema) }).openapi('RulesVocabulary');

// The schema and the use case's type agree: a field added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.infer<typeof PluginPhraseSchema>, PluginPhrase>>();
