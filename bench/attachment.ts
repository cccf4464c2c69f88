// (f) of issue 14's benchmark: one message with a 50 MiB attachment through `fetch --once`, from a
// throwaway Dovecot into the builtin tracker on SQLite, in a child process (bench/ingest-e2e.ts, as
// (c) runs) so that its time and peak RSS are its own. Base64 makes the message about 67 MiB, above the
// default 50 MiB message limit, so the profile's limit is raised for this run: the point is to see a big
// attachment stream through, not to see it refused. Goal: peak RSS ≤ 200 MB; printed, never asserted.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDovecot } from '../test/support/dovecot.js';
import { makeMessage } from '../test/support/messages.js';
import { endToEnd, USER } from './ingest.js';
import { saveResults } from './results.js';

const E2E = fileURLToPath(new URL('./ingest-e2e.js', import.meta.url));
const ATTACHMENT_BYTES = 50 * 1024 * 1024;

export async function benchAttachment(report: (name: string, value: string) => void): Promise<void> {
  const dc = await startDovecot({ users: [USER] });
  try {
    // Random bytes: nothing along the way (TLS, base64, the blob store) can make them smaller.
    const raw = makeMessage({
      from: 'User <user@acme.example>', subject: 'the scans you asked for',
      attachment: { name: 'scans.bin', type: 'application/octet-stream', content: randomBytes(ATTACHMENT_BYTES) },
    });
    await dc.deliver(USER.user, raw);
    const caPath = join(dc.dir, 'bench-ca.pem');
    writeFileSync(caPath, dc.caCert);
    const run = await endToEnd(dc, caPath, 1, { script: E2E, maxMessageBytes: raw.length + 1024 * 1024 });
    report(`attachment (f): one ${ATTACHMENT_BYTES / 1048576} MiB attachment (${(raw.length / 1048576).toFixed(1)} MiB message), fetch --once`,
      `${(run.ms / 1000).toFixed(2)} s (CPU ${(run.cpuMs / 1000).toFixed(2)} s), peak RSS ${(run.peakRssKb / 1024).toFixed(0)} MB (goal ≤ 200 MB); outcomes ${JSON.stringify(run.outcomes)}`);
    report('attachment (f) results', saveResults('attachment', { attachmentBytes: ATTACHMENT_BYTES, messageBytes: raw.length, ...run }));
  } finally {
    await dc.stop();
  }
}
