// A profile's SMTP settings, their Check Connection and its reply templates over HTTP: the password is
// write-only and never in an answer or a log line, moving it needs it again, the check names the
// setting to fix, and a template with an unknown placeholder is refused with its position.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../support/store.js';
import { openTestServer, type TestServer } from '../support/http.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { makeMessage } from '../support/messages.js';
import { intakeMessage } from '../../src/sources/intake.js';
import { addProject } from '../../src/tracker/builtin/index.js';

const PASSWORD = 'Smtp-Secret-4711';

for (const dialect of await dialects()) {
  describe(`profile SMTP settings and templates over HTTP (${dialect})`, () => {
    let s: TestServer;
    let sink: SmtpSink;
    before(async () => {
      s = await openTestServer(dialect);
      sink = await SmtpSink.start({ password: PASSWORD });
    });
    after(async () => {
      await sink.stop();
      await s.close();
    });

    // No CA can be handed through HTTP: the sink's certificate is accepted as invalid here.
    const smtp = () => ({ ...sink.settings({ allowInvalidCertificate: true }), password: PASSWORD });

    test('saved with a password that no answer and no log line ever shows', async () => {
      const created = await s.call('/api/v1/profiles', { json: { name: 'mailer', smtp: smtp(), threading: { acknowledge: true } } });
      assert.equal(created.status, 201, created.text);
      const view = created.json.profile.smtp;
      assert.equal(view.hasPassword, true);
      assert.equal(view.effectivePort, sink.port);
      assert.equal(view.tls, 'starttls');
      assert.equal('password' in view, false);
      assert.equal(created.json.profile.threading.acknowledge, true);
      await s.call(`/api/v1/profiles/${created.json.profile.id}`);
      assert.ok(s.answers.every((a) => !a.text.includes(PASSWORD)), 'never in an answer');
      assert.ok(!JSON.stringify(s.log.records).includes(PASSWORD), 'never in a log line');
    });

    test('moving the password elsewhere needs it again; password null clears it; null removes the settings', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'mover', smtp: smtp() } })).json.profile.id;
      const moved = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { smtp: { host: 'evil.example' } } });
      assert.equal(moved.status, 400, moved.text);
      assert.deepEqual(moved.json.errors.map((e: any) => e.field), ['smtp.password']);
      const named = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { smtp: { fromName: 'Help Desk' } } });
      assert.equal(named.status, 200, named.text);
      assert.equal(named.json.profile.smtp.fromName, 'Help Desk');
      const audit = (await s.call('/api/v1/audit')).json.entries.find((e: any) => e.action === 'profile.update' && e.details?.id === id);
      assert.deepEqual(audit?.details.settings, ['smtp.fromName']);
      const userless = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { smtp: { password: null } } });
      assert.equal(userless.status, 400, 'a user left without its password');
      assert.deepEqual(userless.json.errors.map((e: any) => e.field), ['smtp.password']);
      const cleared = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { smtp: { user: null, password: null } } });
      assert.equal(cleared.status, 200, cleared.text);
      assert.deepEqual([cleared.json.profile.smtp.hasPassword, cleared.json.profile.smtp.user], [false, undefined], 'the sealed password does not linger');
      const removed = await s.call(`/api/v1/profiles/${id}`, { method: 'PATCH', json: { smtp: null } });
      assert.equal(removed.json.profile.smtp, null);
    });

    test('Check Connection for SMTP: every step passes, and a wrong password fails at auth naming the setting', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'checked', smtp: smtp() } })).json.profile.id;
      const good = await s.call(`/api/v1/profiles/${id}/check-smtp`, { json: {} });
      assert.equal(good.status, 200, good.text);
      assert.deepEqual(good.json.steps.map((st: any) => [st.step, st.ok]), [['tcp', true], ['greeting', true], ['tls', true], ['auth', true]]);
      assert.match(good.json.steps[2].message, /^STARTTLS: encrypted \(TLSv1\.3/);
      const bad = await s.call(`/api/v1/profiles/${id}/check-smtp`, { json: { smtp: { password: 'not-it' } } });
      assert.equal(bad.json.ok, false);
      const auth = bad.json.steps.at(-1);
      assert.deepEqual([auth.step, auth.ok, auth.field], ['auth', false, 'smtp.password']);
      assert.match(auth.message, /refused the login of mailer: wrong user or password \(the server said: 535/);
      const closed = await s.call('/api/v1/profiles/check-smtp', { json: { smtp: { ...smtp(), port: 1 } } });
      assert.deepEqual(closed.json.steps.map((st: any) => [st.step, st.ok, st.field]), [['tcp', false, 'smtp.port']]);
      assert.match(closed.json.steps[0].message, /refused the connection: nothing listens there/);
      const strict = await s.call('/api/v1/profiles/check-smtp', { json: { smtp: { ...smtp(), allowInvalidCertificate: false } } });
      const tls = strict.json.steps.find((st: any) => !st.ok);
      assert.deepEqual([tls.step, tls.field], ['tls', 'smtp.allowInvalidCertificate']);
    });

    test('the outbox: an acknowledgement queued with the outcome, listed, then sent with the reply kept', async () => {
      await addProject(s.app.store.db, { name: 'General' });
      const rules = 'then create request in project 1\n';
      const id = (await s.call('/api/v1/profiles', { json: { name: 'acker', rules, smtp: smtp(), threading: { acknowledge: true } } })).json.profile.id;
      const { item } = await intakeMessage(s.app.store, makeMessage({ from: 'Ann <ann@acme.example>', subject: 'Printer' }), { profileId: id });
      await (await s.app.processor()).processDue({ ids: [item.id] });
      const listed = await s.call(`/api/v1/outbox?profileId=${id}`, { token: 'viewer' });
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.json.mails.map((m: any) => [m.kind, m.state, m.to, m.messageId]), [['acknowledgement', 'pending', 'ann@acme.example', item.id]]);
      const mailId = listed.json.mails[0].id;
      const sender = await s.app.outboxSender();
      await sender.sendDue({ ids: [mailId] });
      const shown = await s.call(`/api/v1/outbox/${mailId}`);
      assert.equal(shown.json.state, 'sent');
      assert.deepEqual(shown.json.history.map((a: any) => [a.ok, a.code]), [[true, 250]]);
      assert.match(shown.json.bodyText, /Hello Ann,/);
      assert.equal((await s.call('/api/v1/outbox?state=bogus')).status, 400);
      assert.equal((await s.call('/api/v1/outbox/999999')).status, 404);
    });

    test('templates: the built-in acknowledgement is listed; a bad placeholder is refused with its position; set, show, remove', async () => {
      const id = (await s.call('/api/v1/profiles', { json: { name: 'templated' } })).json.profile.id;
      const listed = await s.call(`/api/v1/profiles/${id}/templates`, { token: 'viewer' });
      assert.deepEqual(listed.json.templates.map((t: any) => [t.name, t.builtIn]), [['acknowledgement', true]]);
      const bad = await s.call(`/api/v1/profiles/${id}/templates/thanks`, { method: 'PUT', json: { subject: 'Thanks', text: 'Hi,\nsee {{item.url}}' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json.errors.map((e: any) => e.field), ['text']);
      assert.match(bad.json.errors[0].message, /^2:5: unknown placeholder \{\{item\.url\}\}/);
      const viewer = await s.call(`/api/v1/profiles/${id}/templates/thanks`, { method: 'PUT', token: 'viewer', json: { subject: 'x', text: 'y' } });
      assert.equal(viewer.status, 403);
      const saved = await s.call(`/api/v1/profiles/${id}/templates/thanks`, { method: 'PUT', json: { subject: 'Thanks [#{{item.id}}]', text: 'Hi {{requester.name}}', html: '<p>Hi {{requester.name}}</p>' } });
      assert.equal(saved.status, 200, saved.text);
      assert.equal(saved.json.created, true);
      const shown = await s.call(`/api/v1/profiles/${id}/templates/THANKS`);
      assert.equal(shown.json.template.html, '<p>Hi {{requester.name}}</p>');
      assert.equal((await s.call(`/api/v1/profiles/${id}/templates/thanks`, { method: 'DELETE' })).status, 204);
      assert.equal((await s.call(`/api/v1/profiles/${id}/templates/thanks`)).status, 404);
      assert.equal((await s.call(`/api/v1/profiles/${id}/templates/acknowledgement`, { method: 'DELETE' })).status, 404);
    });
  });
}
