// What every command shares: the global options (--data-dir), opening the app, printing, and turning
// errors into a clear line on stderr with an exit code. This module and the command modules load
// nothing heavy: a command's use cases are imported when it runs, so `--help` and `deliver` start fast.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { App, AppOptions } from '../app/app.js';
import { userError } from '../app/errors.js';
import { reportError } from './errors.js';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** The options of the command with the program's (--data-dir may come before the subcommand). */
export function optionsOf<T extends object = Record<string, any>>(command: Command): T & GlobalOptions {
  return command.optsWithGlobals() as T & GlobalOptions;
}

export function dataDirOf(options: GlobalOptions): string {
  return resolve(options.dataDir ?? process.env.MAILBIND_DATA_DIR ?? './data');
}

export async function appOptions(options: GlobalOptions, access: 'read' | 'write'): Promise<AppOptions> {
  const { appOptionsFromEnv } = await import('../app/app.js');
  return { ...appOptionsFromEnv(dataDirOf(options)), create: access === 'write' };
}

/** Opens the app on the data dir (created only for commands that write), runs the work, closes it. */
export async function withApp<T>(options: GlobalOptions, access: 'read' | 'write', work: (app: App) => Promise<T>): Promise<T> {
  const { withApp: run } = await import('../app/app.js');
  return run(await appOptions(options, access), work);
}

/** Adds --json. */
export function jsonOption(command: Command): Command {
  return command.option('--json', 'print JSON');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/**
 * Wraps a command action: it gets its positional arguments and the merged options; whatever it throws
 * is reported in one line with the exit code of its category, never a stack trace.
 */
export type Opts = Record<string, any> & GlobalOptions;

export function action(fn: (...args: any[]) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const positional = args.slice(0, -2);
    try {
      await fn(...positional, optionsOf(command));
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

export function parseId(raw: string, what: string): number {
  if (!/^\d+$/.test(raw.trim())) throw userError(`${what} must be a number, got '${raw}'`);
  return Number(raw);
}
