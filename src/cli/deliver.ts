// `mailbind deliver --profile NAME < message`: for Postfix/Exim pipes. Exit codes follow sysexits so
// the mail server does the right thing: 0 once the message is stored (processing failures after that
// are ours to retry), 75 EX_TEMPFAIL when it cannot be stored (the server queues and retries), 65
// EX_DATAERR for empty or non-mail input (the server bounces it).
import { Command } from 'commander';
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

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function deliverCommand(): Command {
  return common(new Command('deliver').description('store a message piped in by a mail server (exit 0 stored, 75 try later, 65 not mail)'))
    .requiredOption('--profile <name>', 'profile whose rules route the message')
    .action(async (opts: CommonOptions & { profile: string }) => {
      const fail = (code: number, message: string) => {
        process.stderr.write(`mailbind deliver: ${message}\n`);
        process.exitCode = code;
      };
      let raw: Buffer;
      try {
        raw = await readStdin();
      } catch (error) {
        return fail(EX_TEMPFAIL, `cannot read the message: ${(error as Error).message}`);
      }
      if (raw.length === 0) return fail(EX_DATAERR, 'the input is empty');
      if (!looksLikeMessage(raw)) return fail(EX_DATAERR, 'the input is not a mail message (it does not start with a header)');

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
          itemId = (await intakeMessage(store, raw, { profileId: profile.id, maxMessageBytes: max })).item.id;
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
