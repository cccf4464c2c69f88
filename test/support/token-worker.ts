// One worker process of the two-worker refresh test (test/sources/oauth/two-workers.test.ts): opens the
// store as a service would (MAILBIND_DATA_DIR, MAILBIND_DATABASE_URL, MAILBIND_DATABASE_SCHEMA), says
// `ready`, waits for `go` on standard input, says `asking`, asks for the profile's access token once with
// accessTokenFor (its own process, so its own in-process sharing: only the database lease stands between
// it and the other worker), and prints one JSON line with what it got. Never the token itself: its SHA-256.
//
//   node dist/test/support/token-worker.js PROFILE_ID
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { accessTokenFor } from '../../src/sources/oauth/access-tokens.js';
import { oauthAppOf } from '../../src/sources/oauth/app.js';
import { validateSettings } from '../../src/sources/settings.js';
import { openStore } from '../../src/store/database.js';
import { getProfile } from '../../src/store/profiles.js';
import { SecretBox } from '../../src/store/secrets.js';

const profileId = Number(process.argv[2]);
const dataDir = process.env.MAILBIND_DATA_DIR!;
const store = await openStore({
  dataDir,
  ...(process.env.MAILBIND_DATABASE_URL ? { databaseUrl: process.env.MAILBIND_DATABASE_URL } : {}),
  ...(process.env.MAILBIND_DATABASE_SCHEMA ? { schema: process.env.MAILBIND_DATABASE_SCHEMA } : {}),
});
try {
  const secrets = SecretBox.forDataDir(dataDir);
  const profile = await getProfile(store.db, profileId);
  const app = oauthAppOf(validateSettings(profile.source!), secrets)!;
  const lines = createInterface({ input: process.stdin });
  console.log('ready');
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const askedAt = Date.now();
  console.log('asking');
  try {
    const token = await accessTokenFor({ db: store.db, secrets }, profileId, app);
    const sha256 = createHash('sha256').update(token.token).digest('hex');
    console.log(JSON.stringify({ ok: true, sha256, version: token.version, askedAt, gotAt: Date.now() }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, error: (error as Error).message, askedAt, gotAt: Date.now() }));
  }
} finally {
  await store.close();
}
