// Profiles: list, get, create, update, delete; Check Connection on saved and unsaved settings; status;
// the push-intake token. Each handler calls the use case the CLI calls, with the principal.
import { z } from '@hono/zod-openapi';
import type { Api } from '../http-app.js';
import { IdParam, errorResponse, json, jsonBody, route } from '../route.js';
import { CheckResult, CheckStreamLine, ProfileCreate, ProfileSaved, ProfileStatus, ProfileUpdate, ProfileView, SmtpInput, SourceInput } from '../schemas/profiles.js';
import { principalOf } from '../principal.js';
import { NDJSON, ndjsonStream, wantsNdjson } from '../ndjson.js';

const tags = ['profiles'];

const list = route('viewer', {
  method: 'get', path: '/api/v1/profiles', tags, summary: 'List profiles',
  responses: { 200: json(z.object({ profiles: z.array(ProfileView) }), 'every profile, without secrets') },
});
const get = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}', tags, summary: 'Get a profile',
  request: { params: IdParam },
  responses: { 200: json(ProfileView, 'the profile'), 404: errorResponse('no such profile') },
});
const create = route('admin', {
  method: 'post', path: '/api/v1/profiles', tags, summary: 'Create a profile',
  request: { body: jsonBody(ProfileCreate) },
  responses: { 201: json(ProfileSaved, 'created'), 400: errorResponse('a setting or a rule is invalid: one entry per field or rule error'), 409: errorResponse('the name is taken') },
});
const update = route('admin', {
  method: 'patch', path: '/api/v1/profiles/{id}', tags, summary: 'Change settings or rules',
  description: 'Only the settings given change; without `password` the stored one is kept. New rules are saved only when every line is valid.',
  request: { params: IdParam, body: jsonBody(ProfileUpdate) },
  responses: { 200: json(ProfileSaved, 'saved'), 400: errorResponse('invalid'), 404: errorResponse('no such profile') },
});
const remove = route('admin', {
  method: 'delete', path: '/api/v1/profiles/{id}', tags, summary: 'Delete a profile',
  description: 'Removes the profile, its status and message log; what it created in the tracker stays. Refused while messages wait for an outcome.',
  request: { params: IdParam },
  responses: { 200: json(z.object({ profile: ProfileView }), 'deleted'), 404: errorResponse('no such profile'), 409: errorResponse('messages still to process') },
});
/** Check Connection answers: one JSON object, or with `Accept: application/x-ndjson` each step as it completes. */
const checkAnswer = (description: string) => ({
  description: `${description}. With \`Accept: ${NDJSON}\` the answer streams one JSON line per step as it completes, then \`{"ok": …}\`.`,
  content: { 'application/json': { schema: CheckResult }, [NDJSON]: { schema: CheckStreamLine } },
});

const checkUnsaved = route('admin', {
  method: 'post', path: '/api/v1/profiles/check', tags, summary: 'Check Connection with unsaved settings',
  request: { body: jsonBody(z.object({ source: SourceInput })) },
  responses: { 200: checkAnswer('each step with its time; a failed step names the field to fix') },
});
const checkSaved = route('admin', {
  method: 'post', path: '/api/v1/profiles/{id}/check', tags, summary: 'Check Connection of a saved profile',
  description: 'With a body `{source}`, checks the stored settings with those changes (not saved); as with a save, the stored password is only reused while server, port, TLS and login stay the same.',
  request: { params: IdParam, body: { ...jsonBody(z.object({ source: SourceInput.optional() })), required: false } },
  responses: { 200: checkAnswer('each step with its time'), 400: errorResponse('the profile has no mailbox'), 404: errorResponse('no such profile') },
});
const checkSmtpUnsaved = route('admin', {
  method: 'post', path: '/api/v1/profiles/check-smtp', tags, summary: 'Check Connection for SMTP settings not saved',
  request: { body: jsonBody(z.object({ smtp: SmtpInput })) },
  responses: { 200: checkAnswer('tcp, tls, greeting, auth, each with its time; a failed step names the field to fix (smtp.host, smtp.password, …)') },
});
const checkSmtpSaved = route('admin', {
  method: 'post', path: '/api/v1/profiles/{id}/check-smtp', tags, summary: "Check Connection for a profile's SMTP settings",
  description: 'With a body `{smtp}`, checks the stored settings with those changes (not saved); the stored password is only reused while host, port, TLS, certificate check and user stay the same.',
  request: { params: IdParam, body: { ...jsonBody(z.object({ smtp: SmtpInput.optional() })), required: false } },
  responses: { 200: checkAnswer('each step with its time'), 400: errorResponse('the profile has no SMTP settings'), 404: errorResponse('no such profile') },
});
const status = route('viewer', {
  method: 'get', path: '/api/v1/profiles/{id}/status', tags, summary: "A profile's health",
  request: { params: IdParam },
  responses: { 200: json(ProfileStatus, "last poll, last success and error, next poll, backlog, counts, and an OAuth2 mailbox's sign-in"), 404: errorResponse('no such profile') },
});
const statuses = route('viewer', {
  method: 'get', path: '/api/v1/status', tags, summary: "Every profile's health",
  responses: { 200: json(z.object({ profiles: z.array(ProfileStatus) }), 'one entry per profile') },
});
const newIntakeToken = route('admin', {
  method: 'post', path: '/api/v1/profiles/{id}/intake-token', tags, summary: 'Create (or replace) the push-intake token',
  description: 'The token is shown once, in this answer; only its hash is stored. A new token replaces the old one.',
  request: { params: IdParam },
  responses: { 201: json(z.object({ profileId: z.number().int(), token: z.string() }), 'the token, shown once'), 404: errorResponse('no such profile') },
});
const dropIntakeToken = route('admin', {
  method: 'delete', path: '/api/v1/profiles/{id}/intake-token', tags, summary: 'Turn push intake off',
  request: { params: IdParam },
  responses: { 204: { description: 'revoked' }, 404: errorResponse('no such profile') },
});

export function registerProfiles(api: Api): void {
  api.openapi(list, async (c) => {
    const { listProfileViews } = await import('../../app/profiles.js');
    return c.json({ profiles: await listProfileViews(c.get('app')) }, 200);
  });
  api.openapi(get, async (c) => {
    const { showProfile } = await import('../../app/profiles.js');
    return c.json(await showProfile(c.get('app'), c.req.valid('param').id), 200);
  });
  api.openapi(create, async (c) => {
    const { createProfile } = await import('../../app/profiles.js');
    const body = c.req.valid('json');
    const saved = await createProfile(
      c.get('app'),
      {
        name: body.name,
        ...(body.rules !== undefined ? { rules: { text: body.rules, label: 'rules', ...(body.rulesComment ? { comment: body.rulesComment } : {}) } } : {}),
        ...(body.source ? { source: body.source } : {}),
        ...(body.threading ? { threading: body.threading } : {}),
        ...(body.smtp ? { smtp: body.smtp } : {}),
      },
      principalOf(c),
    );
    return c.json(saved, 201);
  });
  api.openapi(update, async (c) => {
    const { updateProfile } = await import('../../app/profiles.js');
    const body = c.req.valid('json');
    const saved = await updateProfile(
      c.get('app'),
      c.req.valid('param').id,
      {
        ...(body.rules !== undefined ? { rules: { text: body.rules, label: 'rules', ...(body.rulesComment ? { comment: body.rulesComment } : {}) } } : {}),
        ...(body.source ? { source: body.source } : {}),
        ...(body.threading ? { threading: body.threading } : {}),
        ...(body.smtp !== undefined ? { smtp: body.smtp } : {}),
      },
      principalOf(c),
    );
    return c.json(saved, 200);
  });
  api.openapi(remove, async (c) => {
    const { deleteProfile } = await import('../../app/profiles.js');
    return c.json({ profile: await deleteProfile(c.get('app'), c.req.valid('param').id, principalOf(c)) }, 200);
  });
  api.openapi(checkUnsaved, async (c) => {
    const { checkUnsavedSettings } = await import('../../app/check.js');
    const source = c.req.valid('json').source;
    // `as never`: the typed handler knows only the JSON body; the stream is the documented second type.
    if (wantsNdjson(c)) return (await ndjsonStream(c, (emit) => checkUnsavedSettings(source, emit), (result) => ({ ok: result.ok }))) as never;
    return c.json(await checkUnsavedSettings(source), 200);
  });
  api.openapi(checkSaved, async (c) => {
    const { checkSavedProfile } = await import('../../app/check.js');
    const id = c.req.valid('param').id;
    // Without a body (or a JSON content type) the validator hands over {}: the stored settings alone.
    const changes = c.req.valid('json').source;
    if (wantsNdjson(c)) return (await ndjsonStream(c, (emit) => checkSavedProfile(c.get('app'), id, emit, changes), (result) => ({ ok: result.ok }))) as never;
    return c.json(await checkSavedProfile(c.get('app'), id, undefined, changes), 200);
  });
  api.openapi(checkSmtpUnsaved, async (c) => {
    const { checkUnsavedSmtp } = await import('../../app/check.js');
    const smtp = c.req.valid('json').smtp;
    if (wantsNdjson(c)) return (await ndjsonStream(c, (emit) => checkUnsavedSmtp(smtp, emit), (result) => ({ ok: result.ok }))) as never;
    return c.json(await checkUnsavedSmtp(smtp), 200);
  });
  api.openapi(checkSmtpSaved, async (c) => {
    const { checkSavedSmtp } = await import('../../app/check.js');
    const id = c.req.valid('param').id;
    const changes = c.req.valid('json').smtp;
    if (wantsNdjson(c)) return (await ndjsonStream(c, (emit) => checkSavedSmtp(c.get('app'), id, emit, changes), (result) => ({ ok: result.ok }))) as never;
    return c.json(await checkSavedSmtp(c.get('app'), id, undefined, changes), 200);
  });
  api.openapi(status, async (c) => {
    const { profileStatuses } = await import('../../app/status.js');
    const [view] = await profileStatuses(c.get('app'), c.req.valid('param').id);
    return c.json(view!, 200);
  });
  api.openapi(statuses, async (c) => {
    const { profileStatuses } = await import('../../app/status.js');
    return c.json({ profiles: await profileStatuses(c.get('app')) }, 200);
  });
  api.openapi(newIntakeToken, async (c) => {
    const { createIntakeToken } = await import('../../app/push-intake.js');
    return c.json(await createIntakeToken(c.get('app'), c.req.valid('param').id, principalOf(c)), 201);
  });
  api.openapi(dropIntakeToken, async (c) => {
    const { revokeIntakeToken } = await import('../../app/push-intake.js');
    await revokeIntakeToken(c.get('app'), c.req.valid('param').id, principalOf(c));
    return c.body(null, 204);
  });
}
