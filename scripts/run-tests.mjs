// Runs every compiled *.test.js under dist/test with node:test. Node 20's --test expands no globs and
// would also run helpers, so the list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('dist/test', []);
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.MAILBIND_TEST_CONCURRENCY ?? '2';
// A hang fails after this long, named with its file, instead of hanging the run (and CI) forever. Node 20
// applies --test-timeout to each test and also to each file's process as a whole (a hook that never returns,
// a handle that keeps the process alive after its last test), so this is also every file's budget: generous,
// the slowest files (the Chromium suites) take 35-80 s with two files running at once on the 2-core VMs we
// have had, and one took over 120 s there while other work loaded the machine.
const timeoutMs = process.env.MAILBIND_TEST_TIMEOUT_MS ?? '300000';
if (!/^[1-9]\d*$/.test(timeoutMs)) {
  console.error(`MAILBIND_TEST_TIMEOUT_MS must be a positive whole number of milliseconds, not ${JSON.stringify(timeoutMs)}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
