// The built web UI (dist/web, from web/ by Vite): hashed files under /assets/ with a year's cache,
// and index.html (never cached) for every other path that is not the API, so a reload of
// /messages/12 lands on the same page. The UI's files hold no data, so they are served before sign-in
// (the sign-in page is one of them); everything they show comes from the API, which asks for it.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** dist/web of this package, found upwards from this file (dist/src/server/ or dist/bundle/). */
export function webRoot(): string | null {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mailbind') {
          const root = join(dir, 'dist', 'web');
          return existsSync(join(root, 'index.html')) ? root : null;
        }
      } catch {
        // not ours; look further up
      }
    }
    const parent = join(dir, '..');
    if (parent === dir) return null;
    dir = parent;
  }
}

export function webUi(root: string | null = webRoot()) {
  return async (c: Context): Promise<Response | null> => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return null;
    const path = c.req.path;
    if (path.startsWith('/api/') || path === '/metrics') return null;
    if (!root) return c.json({ error: 'the web UI is not built: run npm run build' }, 404);
    if (path.startsWith('/assets/')) {
      const file = normalize(join(root, path));
      // Regular files only: /assets/ itself (or any folder) is not a file to send, and reading it would fail.
      if (!file.startsWith(root + sep) || !(await isFile(file))) return c.json({ error: `no such file: ${path}` }, 404);
      return c.body(await readFile(file), 200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Names carry a hash of their content: a new build has new names.
        'cache-control': 'public, max-age=31536000, immutable',
      });
    }
    return c.body(await readFile(join(root, 'index.html')), 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
