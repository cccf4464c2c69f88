// Parse threads of a processing process (MAILBIND_PARSE_THREADS): how many worker threads parse stored
// messages beside the thread that decides and records them (engine/parsing/parse-pool.ts); 0 parses on
// that thread. The default is chosen by measurement (docs/benchmarks.md, "Parsing off the main thread").
// This file imports nothing heavy: a bad setting is refused before anything opens.
import { availableParallelism } from 'node:os';
import { userError } from './errors.js';

export const MAX_PARSE_THREADS = 16;

/** MAILBIND_PARSE_THREADS if set, else the default for `cores`. */
export function parseThreadsOf(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  const setting = env.MAILBIND_PARSE_THREADS?.trim();
  if (setting === undefined || setting === '') return defaultParseThreads(cores);
  const n = /^\d{1,2}$/.test(setting) ? Number(setting) : NaN;
  if (!(n >= 0 && n <= MAX_PARSE_THREADS)) {
    throw userError(`MAILBIND_PARSE_THREADS must be a whole number of parse threads from 0 (parse on the processing thread) to ${MAX_PARSE_THREADS}, got '${env.MAILBIND_PARSE_THREADS}'`);
  }
  return n;
}

/** One thread per core beyond the one that decides and records, at most 4 (see the file's head). */
export function defaultParseThreads(cores: number): number {
  return Math.max(0, Math.min(4, cores - 1));
}
