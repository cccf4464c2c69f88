// `mailbind deliver --profile NAME < message`: for Postfix/Exim pipes. Exit codes follow sysexits so
// the mail server does the right thing: 0 once the message is stored (processing failures after that
// are ours to retry), 75 EX_TEMPFAIL when it cannot be stored (the server queues and retries), 65
// EX_DATAERR for empty or non-mail input (the server bounces it).
import { Command } from 'commander';
import { Readable } from 'node:stream';
import { Processor } from '../engine/process.js';
import { looksLikeMessage } from '../mail/header-scan.js';
import { intakeMessage } from '../sources/intake.js';
import { openStore } from '../store/database.js';
import { getProfile } from '../store/profiles.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../sources/settings.js';
import { common, dataDirOf, printJsonLine, type CommonOptions } from './context.js';
import { humanLine, toImportLine } from './import-output.js';

export const EX_DATAERR = 65;
export const EX_TEMPFAIL = 75;

/**
 * Read just enough of stdin to judge it, and hand back a stream of the whole input: a message of any
 * size goes to storage without being held in memory.
 */
async function peekStdin(bytes = 4096): Promise<{ head: Buffer; content: NodeJS.ReadableStream }> {
  const chunks = process.stdin[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const next = await chunks.next();
    if (next.done) break;
    seen.push(next.value as Buffer);
    size += (next.value as Buffer).length;
  }
  const head = Buffer.concat(seen);
  async function* whole() {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
  }
  return { head, content: Readable.from(whole()) };
}

export function deliverCommand(): Command {
  return common(new Command('deliver').description('store a message piped in by a mail server (exit 0 stored, 75 try later, 65 not mail)'))
    .requiredOption('--profile <name>', 'profile whose rules route the message')
    .action(async (opts: CommonOptions & { profile: string }) => {
      const fail = (code: number, message: string) => {
        process.stderr.write(`mailbind deliver: ${message}\n`);
        process.exitCode = code;
      };
      let input: { head: Buffer; content: NodeJS.ReadableStream };
      try {
        input = await peekStdin();
      } catch (error) {
        return fail(EX_TEMPFAIL, `cannot read the message: ${(error as Error).message}`);
      }
      if (input.head.length === 0) return fail(EX_DATAERR, 'the input is empty');
      if (!looksLikeMessage(input.head)) return fail(EX_DATAERR, 'the input is not a mail message (it does not start with a header)');

      let store;
      try {
        store = await openStore({
          dataDir: dataDirOf(opts),
          ...(process.env.MAILBIND_DATABASE_URL ? { databaseUrl: process.env.MAILBIND_DATABASE_URL } : {}),
          ...(process.env.MAILBIND_DATABASE_SCHEMA ? { schema: process.env.MAILBIND_DATABASE_SCHEMA } : {}),
        });
      } catch (error) {
        return fail(EX_TEMPFAIL, `cannot open the database: ${(error as Error).message}`);
      }
      try {
        let itemId: number;
        try {
          // A missing profile is a configuration problem: the mail server keeps the message meanwhile.
          const profile = await getProfile(store.db, opts.profile);
          const max = typeof profile.source.maxMessageBytes === 'number' ? profile.source.maxMessageBytes : DEFAULT_MAX_MESSAGE_BYTES;
          itemId = (await intakeMessage(store, input.content, { profileId: profile.id, maxMessageBytes: max })).item.id;
        } catch (error) {
          return fail(EX_TEMPFAIL, `cannot store the message: ${(error as Error).message}`);
        }
        // Stored: from here on the message is ours. Processing now is a courtesy; if it fails, the
        // service's processing loop retries it.
        try {
          const [result] = await new Processor(store).processDue({ ids: [itemId] });
          if (result) {
            const line = toImportLine(result);
            if (opts.json) printJsonLine(line);
            else process.stdout.write(humanLine(line) + '\n');
          }
        } catch (error) {
          process.stderr.write(`mailbind deliver: stored as message ${itemId}; processing will be retried: ${(error as Error).message}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
