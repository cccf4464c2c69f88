// What every command shares: where the data is, opening the store, printing, and turning errors into
// a clear line on stderr with exit code 1.
import { Command } from 'commander';
import { resolve } from 'node:path';
import { openStore, type Store } from '../store/database.js';
import { ProfileNameError } from '../store/profiles.js';
import { TrackerInputError } from '../tracker/builtin/admin.js';

export class UserError extends Error {}

export interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

export function dataDirOf(options: CommonOptions): string {
  return resolve(options.dataDir ?? process.env.MAILBIND_DATA_DIR ?? './data');
}

export async function withStore<T>(options: CommonOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({
    dataDir: dataDirOf(options),
    ...(process.env.MAILBIND_DATABASE_URL ? { databaseUrl: process.env.MAILBIND_DATABASE_URL } : {}),
    ...(process.env.MAILBIND_DATABASE_SCHEMA ? { schema: process.env.MAILBIND_DATABASE_SCHEMA } : {}),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Adds the options every command takes. */
export function common(command: Command, { json = true }: { json?: boolean } = {}): Command {
  command.option('--data-dir <dir>', 'data directory (default: $MAILBIND_DATA_DIR or ./data)');
  if (json) command.option('--json', 'print JSON');
  return command;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Wraps a command action: known user errors exit 1 with one clear line, never a stack trace. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const known = error instanceof UserError || error instanceof ProfileNameError || error instanceof TrackerInputError;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`mailbind: ${message}\n`);
      if (!known && process.env.MAILBIND_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
      process.exitCode = 1;
    }
  };
}

export function parseId(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UserError(`${what} must be a number, got '${raw}'`);
  return Number(raw);
}
