// The real-world corpus in ../shared/corpus (read-only). Which files are full messages is taken from
// each folder's SOURCE.md ("| `path` | upstream path | message |"), so reply bodies, HTML fragments
// and expected-output files are never mistaken for mail.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/support → the repository root is three levels up; the corpus sits next to the repo.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const corpusDir = resolve(process.env.MAILBIND_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus'));

export interface CorpusMessage {
  /** Path relative to the corpus root, e.g. `redmine/ticket_reply.eml`. */
  name: string;
  path: string;
}

export function corpusAvailable(): boolean {
  return existsSync(join(corpusDir, 'README.md'));
}

/**
 * For `test(name, { skip: corpusSkip() }, …)` (or a describe): false when the corpus is there, else a skip
 * reason. With MAILBIND_REQUIRE_CORPUS=1 (CI) a missing corpus throws instead, so the file fails rather than
 * skipping its corpus tests silently. Every test that reads the corpus takes its skip from here.
 */
export function corpusSkip(): false | string {
  if (corpusAvailable()) return false;
  const reason = `no mail corpus at ${corpusDir} (expected ../shared/corpus next to the repository, or MAILBIND_CORPUS)`;
  if (process.env.MAILBIND_REQUIRE_CORPUS === '1') throw new Error(`${reason}, and MAILBIND_REQUIRE_CORPUS=1`);
  return reason;
}

export function corpusMessages(): CorpusMessage[] {
  const out: CorpusMessage[] = [];
  for (const folder of readdirSync(corpusDir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const source = join(corpusDir, folder.name, 'SOURCE.md');
    if (!existsSync(source)) continue;
    for (const line of readFileSync(source, 'utf8').split('\n')) {
      const match = /^\|\s*`([^`]+)`\s*\|[^|]*\|\s*message\s*\|\s*$/.exec(line);
      if (match?.[1]) out.push({ name: `${folder.name}/${match[1]}`, path: join(corpusDir, folder.name, match[1]) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function corpusFile(name: string): Buffer {
  return readFileSync(join(corpusDir, name));
}
