// The version in our package.json, found upwards from this file (dist/src/app/ or dist/bundle/), so
// it holds whether the CLI runs bundled or compiled. Light: the CLI loads it for --version.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function ownVersion(): string {
  if (cached) return cached;
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mailbind' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here; look one folder up
    }
    if (dir.pathname === '/') return (cached = 'unknown');
  }
}
