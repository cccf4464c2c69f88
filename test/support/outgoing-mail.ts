// What the outgoing-mail tests share: a store with one project, an app whose Message-IDs are on our test
// domain, a real smtp-server sink (STARTTLS, AUTH) on loopback, the processor that knows our sent mail,
// and the outbox sender trusting the sink's certificate authority.
import { assemble, type App } from '../../src/app/app.js';
import { OutboxSender } from '../../src/engine/outbox/sender.js';
import type { Processor } from '../../src/engine/process.js';
import { addProject } from '../../src/tracker/builtin/index.js';
import { processorFor } from './processor.js';
import { SmtpSink } from './smtp-sink.js';
import { openTestStore, type TestStore } from './store.js';

/** The Message-ID domain (and loop marker) of the mail the tests send. */
export const OUR_DOMAIN = 'mb.mailbind.test';

export interface OutgoingMailRig {
  t: TestStore;
  app: App;
  sink: SmtpSink;
  processor: Processor;
  sender: OutboxSender;
  close(): Promise<void>;
}

export async function startOutgoingMail(dialect: Parameters<typeof openTestStore>[0]): Promise<OutgoingMailRig> {
  const t = await openTestStore(dialect);
  const app = assemble(t.store, { messageIdDomain: OUR_DOMAIN });
  await addProject(t.store.db, { name: 'General' });
  const sink = await SmtpSink.start();
  const processor = processorFor(t.store, { ownDomains: app.ownDomains, outgoing: app.outgoing });
  const sender = new OutboxSender({ store: t.store, secrets: app.secrets(), loopMarker: OUR_DOMAIN, extras: { ca: sink.pki.caCert, timeoutMs: 5000 } });
  return {
    t, app, sink, processor, sender,
    async close() {
      await sink.stop();
      await t.cleanup();
    },
  };
}
