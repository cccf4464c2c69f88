// The OAuth2 client's words for what goes wrong on the way to a provider, against loopback servers that
// misbehave as networks and providers do: one that never answers ("did not answer within N s", never a
// DOMException's number), a closed port, a connection cut under the request; and discovery that names
// an endpoint over plain http on another host, refused whichever endpoint it is, since tokens or the
// client secret would cross the network in clear.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { configurationFor, OAuthError, refreshTokens, type OAuthApp } from '../../../src/sources/oauth/client.js';
import { freePort } from '../../support/ports.js';

/** A custom provider at `origin` with both endpoints given: no discovery. */
const appAt = (origin: string, clientId = 'mailbind'): OAuthApp => ({
  provider: 'custom', clientId, clientSecret: 'client-secret-Marker-7c1', issuer: origin,
  authorizationUrl: `${origin}/auth`, tokenUrl: `${origin}/token`, destination: '',
});

/** The OAuthError a promise rejects with (fails the test if it resolves or rejects otherwise). */
async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
  assert.ok(error instanceof OAuthError, `expected an OAuthError, got ${String(error)}`);
  assert.doesNotMatch(error.message, /Marker/, 'no client secret in the words');
  return error;
}

/** A TCP server on loopback: `onConnection` decides what each connection meets. */
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('the OAuth2 client when the way to the provider fails', () => {
  let silent: Awaited<ReturnType<typeof tcpServer>>;
  let cutter: Awaited<ReturnType<typeof tcpServer>>;
  before(async () => {
    silent = await tcpServer(() => {}); // reads nothing, answers nothing, keeps the connection open
    cutter = await tcpServer((socket) => socket.once('data', () => socket.destroy())); // reads the request, then hangs up
  });
  after(() => Promise.all([silent.close(), cutter.close()]));

  test('a token endpoint that never answers: "did not answer within" the time it was given, retried later', async () => {
    const config = await configurationFor(appAt(silent.origin));
    const started = Date.now();
    const error = await refusal(refreshTokens(config, 'a-refresh-token', 0.5));
    assert.equal(error.message, 'the provider did not answer within 0.5 s while refreshing the access token');
    assert.deepEqual([error.code, error.stopped], ['timeout', false]);
    assert.ok(Date.now() - started < 5_000, 'given up at its deadline, not the 30 s default');
  });

  test('discovery that never answers says the same, with its own timeout', async () => {
    const app: OAuthApp = { provider: 'custom', clientId: 'mailbind', issuer: silent.origin, destination: '' };
    const error = await refusal(configurationFor(app, { timeoutSeconds: 1 }));
    assert.equal(error.message, `the provider did not answer within 1 s while discovering the provider at ${silent.origin}`);
    assert.deepEqual([error.code, error.stopped], ['timeout', false]);
  });

  test('a closed port and a connection cut under the request are said in words, with their code', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await refusal(refreshTokens(await configurationFor(appAt(closed)), 'a-refresh-token', 5));
    assert.equal(refused.message, 'cannot reach the provider while refreshing the access token: nothing accepts connections at its address (ECONNREFUSED)');
    assert.deepEqual([refused.code, refused.stopped], ['ECONNREFUSED', false]);

    const cut = await refusal(refreshTokens(await configurationFor(appAt(cutter.origin)), 'a-refresh-token', 5));
    assert.equal(cut.message, 'the connection to the provider was cut while refreshing the access token (UND_ERR_SOCKET)');
    assert.deepEqual([cut.code, cut.stopped], ['UND_ERR_SOCKET', false]);
  });
});

describe('discovered endpoints: https, or plain http to this machine only', () => {
  let server: http.Server;
  let origin: string;
  /** What the discovery document names besides the issuer, per test. */
  let endpoints: Record<string, string> = {};
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: origin, response_types_supported: ['code'], ...endpoints }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // A new client ID per discovery: configurations are cached per app.
  let n = 0;
  const discover = (named: Record<string, string>) => {
    endpoints = named;
    return configurationFor({ provider: 'custom', clientId: `client-${++n}`, clientSecret: 'client-secret-Marker-7c1', issuer: origin, destination: '' });
  };
  const good = {
    authorization_endpoint: 'https://id.example.test/authorize', token_endpoint: 'https://id.example.test/token',
    jwks_uri: 'https://id.example.test/jwks', userinfo_endpoint: 'https://id.example.test/userinfo',
  };

  for (const [key, name] of [
    ['token_endpoint', 'token endpoint'], ['authorization_endpoint', 'authorization endpoint'], ['jwks_uri', 'JWKS URI'], ['userinfo_endpoint', 'userinfo endpoint'],
  ] as const) {
    test(`a loopback issuer that names its ${name} over plain http on another host is refused`, async () => {
      const error = await refusal(discover({ ...good, [key]: `http://id.example.test/${key}` }));
      assert.equal(error.message, `the provider's ${name} http://id.example.test must use https (plain http is only allowed to this machine)`);
      assert.deepEqual([error.code, error.stopped], ['settings', true]);
    });
  }

  test('https endpoints, or http ones on this machine, are taken', async () => {
    const config = await discover(good);
    assert.equal(config.serverMetadata().token_endpoint, 'https://id.example.test/token');
    const local = await discover({ ...good, token_endpoint: `${origin}/token`, jwks_uri: 'http://localhost:1/jwks' });
    assert.equal(local.serverMetadata().token_endpoint, `${origin}/token`);
  });
});
