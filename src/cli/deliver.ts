// `mailbind deliver --profile NAME < message`: for Postfix/Exim pipes. Exit codes follow sysexits so
// the mail server does the right thing: 0 once the message is stored (processing failures after that
// are ours to retry), 75 EX_TEMPFAIL when it cannot be stored (the server queues and retries), 65
// EX_DATAERR for empty or non-mail input (the server bounces it).
import { Command } from 'commander';
import { Readable } from 'node:stream';
import { AppError } from '../app/errors.js';
import { appOptions, jsonOption, optionsOf, printJsonLine } from './context.js';
import { printProcessed, sayWhenWaiting } from './output.js';

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
  return jsonOption(new Command('deliver').description('store a message piped in by a mail server (exit 0 stored, 75 try later, 65 not mail)'))
    .requiredOption('--profile <name>', 'profile whose rules route the message')
    .action(async (_opts: unknown, command: Command) => {
      const opts = optionsOf<{ profile: string }>(command);
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
      const { judgeDeliveredInput, deliverMessage } = await import('../app/deliver.js');
      try {
        judgeDeliveredInput(input.head);
      } catch (error) {
        return fail(EX_DATAERR, (error as Error).message);
      }
      const { withApp } = await import('../app/app.js');
      try {
        const result = await withApp(await appOptions(opts, 'read'), (app) => deliverMessage(app, opts.profile, input.content, sayWhenWaiting('deliver')));
        if (result.status === 'processed') {
          printProcessed(result.message, opts.json);
          // Taken along: messages earlier deliveries left without an outcome.
          for (const line of result.earlier ?? []) printProcessed(line, opts.json);
        }
        else if (result.status === 'queued' || result.status === 'taken') {
          const by = result.status === 'queued' ? 'the running service' : 'another mailbind process';
          if (opts.json) printJsonLine({ itemId: result.itemId, outcome: 'pending', queued: true });
          else process.stdout.write(`stored as message ${result.itemId}; ${by} processes it\n`);
        } else {
          process.stderr.write(`mailbind deliver: stored as message ${result.itemId}; processing failed (${result.error}); ` +
            `it is tried again by the next deliver, a running worker, or: mailbind messages retry ${result.itemId}\n`);
        }
      } catch (error) {
        // Not stored (no database, no such profile, a full disk): the mail server keeps the message
        // meanwhile and tries again.
        const reason = error instanceof AppError ? error.message : String(error);
        return fail(EX_TEMPFAIL, `cannot store the message: ${reason}`);
      }
    });
}
