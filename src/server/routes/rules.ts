// Rules: validate as you type, test a message (the dry run), preview a change over the last N
// messages, the phrases plugins add, save, and the history of every save with diff and restore.
// Nothing but save and restore writes anything.
import { z } from '@hono/zod-openapi';
import { userError } from '../../app/errors.js';
import type { Api } from '../http-app.js';
import { principalOf } from '../principal.js';
import { IdParam, errorResponse, json, jsonBody, route } from '../route.js';
import { ProfileSaved } from '../schemas/profiles.js';
import { DryRunSchema, PreviewRequest, PreviewResult, RulesDiff, RulesVersion, RulesVersionText, RulesVocabulary, TestRequest, ValidateResult } from '../schemas/rules.js';

const tags = ['rules'];
const VersionParams = IdParam.extend({ version: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'version', in: 'path' }, example: 2 }) });

const validate = route('viewer', {
  method: 'post', path: '/api/v1/rules/validate', tags, summary: 'Check rules: errors at line:column, warnings for unknown project or team ids',
  request: { body: jsonBody(z.object({ rules: z.string() })) },
  responses: { 200: json(ValidateResult, 'the errors and warnings (none: the rules are valid)') },
});
const test = route('viewer', {
  method: 'post', path: '/api/v1/rules/test', tags, summary: 'Dry run: which rule matches a message, why earlier ones did not, and the plan',
  request: { body: jsonBody(TestRequest) },
  responses: { 200: json(DryRunSchema, 'what processing would do; nothing is written'), 400: errorResponse('no message, or the rules have errors'), 404: errorResponse('no such profile or message') },
});
const preview = route('viewer', {
  method: 'post', path: '/api/v1/rules/preview', tags, summary: "Preview unsaved rules over a profile's last N messages",
  request: { body: jsonBody(PreviewRequest) },
  responses: { 200: json(PreviewResult, 'the messages whose outcome or actions would change; nothing is written'), 400: errorResponse('the rules have errors'), 404: errorResponse('no such profile') },
});
const phrases = route('viewer', {
  method: 'get', path: '/api/v1/rules/vocabulary', tags, summary: 'The phrases plugins add to the rule language (MAILBIND_PLUGINS), for editors that parse rules themselves',
  responses: { 200: json(RulesVocabulary, "every plugin's conditions and actions as they are written; none without plugins") },
});
const save = route('admin', {
  method: 'put', path: '/api/v1/profiles/{id}/rules', tags, summary: "Save a profile's rules (a new version)",
  request: { params: IdParam, body: jsonBody(z.object({ rules: z.string(), comment: z.string().optional() })) },
  responses: { 200: json(ProfileSaved, 'saved as a new version'), 400: errorResponse('the rules have errors: nothing was changed'), 404: errorResponse('no such profile') },
});
const versions = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/rules/versions', tags, summary: 'Rules history, newest first',
  request: { params: IdParam },
  responses: { 200: json(z.object({ versions: z.array(RulesVersion) }), 'every saved version'), 404: errorResponse('no such profile') },
});
const version = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/rules/versions/{version}', tags, summary: 'One version of the rules',
  request: { params: VersionParams },
  responses: { 200: json(RulesVersionText, 'the version with its text'), 404: errorResponse('no such profile or version') },
});
const diff = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/rules/diff', tags, summary: 'Diff between two versions',
  request: {
    params: IdParam,
    query: z.object({
      from: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'from', in: 'query' } }),
      to: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'to', in: 'query' } }),
    }),
  },
  responses: { 200: json(RulesDiff, 'unified diff and hunks'), 404: errorResponse('no such profile or version') },
});
const restore = route('admin', {
  method: 'post', path: '/api/v1/profiles/{id}/rules/versions/{version}/restore', tags, summary: 'Restore a version (saved as a new version)',
  request: { params: VersionParams, body: { required: false, content: { 'application/json': { schema: z.object({ comment: z.string().optional() }) } } } },
  responses: { 200: json(ProfileSaved, 'restored'), 404: errorResponse('no such profile or version') },
});

export function registerRules(api: Api): void {
  api.openapi(validate, async (c) => {
    const { checkRulesAgainst } = await import('../../app/rules.js');
    const view = await checkRulesAgainst(c.get('app').tracker, c.req.valid('json').rules);
    return c.json(
      {
        ok: view.ok,
        rules: view.rules,
        errors: view.errors.map((e) => ({ line: e.line, column: e.column, endColumn: e.endColumn, message: e.message, ...(e.suggestion ? { suggestion: e.suggestion } : {}) })),
        warnings: view.warnings,
      },
      200,
    );
  });
  api.openapi(test, async (c) => {
    const { dryRun } = await import('../../app/dry-run.js');
    const body = c.req.valid('json');
    const raw = body.rawBase64 !== undefined ? Buffer.from(body.rawBase64, 'base64') : body.raw !== undefined ? Buffer.from(body.raw, 'utf8') : undefined;
    if (!raw && body.messageId === undefined) throw userError('give the message: raw, rawBase64 or messageId', { fields: [{ field: 'raw', message: 'paste a message, or name a stored one with messageId' }] });
    const view = await dryRun(c.get('app'), {
      ...(raw ? { raw } : { itemId: body.messageId! }),
      ...(body.profileId !== undefined ? { profile: body.profileId } : {}),
      ...(body.rules !== undefined ? { rules: { text: body.rules, label: 'rules' } } : {}),
    });
    return c.json(view, 200);
  });
  api.openapi(preview, async (c) => {
    const { previewRules } = await import('../../app/rules-preview.js');
    const body = c.req.valid('json');
    return c.json(await previewRules(c.get('app'), { profile: body.profileId, rules: { text: body.rules, label: 'rules' }, last: body.last, offset: body.offset, ...(body.before !== undefined ? { before: body.before } : {}) }), 200);
  });
  api.openapi(phrases, async (c) => {
    const { pluginPhrases } = await import('../../app/vocabulary.js');
    return c.json({ phrases: pluginPhrases() }, 200);
  });
  api.openapi(save, async (c) => {
    const { saveRules } = await import('../../app/profiles.js');
    const body = c.req.valid('json');
    return c.json(await saveRules(c.get('app'), c.req.valid('param').id, { text: body.rules, label: 'rules', ...(body.comment ? { comment: body.comment } : {}) }, principalOf(c)), 200);
  });
  api.openapi(versions, async (c) => {
    const { listRulesVersions } = await import('../../app/rules-history.js');
    return c.json({ versions: await listRulesVersions(c.get('app'), c.req.valid('param').id) }, 200);
  });
  api.openapi(version, async (c) => {
    const { getRulesVersion } = await import('../../app/rules-history.js');
    const { id, version: number } = c.req.valid('param');
    return c.json(await getRulesVersion(c.get('app'), id, number), 200);
  });
  api.openapi(diff, async (c) => {
    const { diffRulesVersions } = await import('../../app/rules-history.js');
    const { from, to } = c.req.valid('query');
    return c.json(await diffRulesVersions(c.get('app'), c.req.valid('param').id, from, to), 200);
  });
  api.openapi(restore, async (c) => {
    const { restoreRulesVersion } = await import('../../app/rules-history.js');
    const { id, version: number } = c.req.valid('param');
    const comment = c.req.valid('json')?.comment;
    return c.json(await restoreRulesVersion(c.get('app'), id, number, principalOf(c), comment), 200);
  });
}
