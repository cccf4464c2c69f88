// Where a benchmark keeps its raw figures: bench/results/<name>-<host>-<time>.json (ignored by git; the
// table in docs/benchmarks.md is the record), with the machine and its load, so a figure can be read later
// against what the machine was doing.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './ingest.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

/** Writes the figures and returns the file's path, for the report. */
export function saveResults(name: string, figures: Record<string, unknown>): string {
  mkdirSync(RESULTS, { recursive: true });
  const at = new Date().toISOString();
  const file = join(RESULTS, `${name}-${os.hostname()}-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at, machine: machine(), ...figures }, null, 2) + '\n');
  return file;
}
