// Which modules a real process loads: a node:module resolve hook, registered with `--import`, appends
// every resolved URL to the file named by MAILBIND_LOAD_LOG.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Writes the hook into `dir`; returns the node arguments that turn it on. */
export function moduleTraceArgs(dir: string): string[] {
  writeFileSync(join(dir, 'hook.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    '  appendFileSync(process.env.MAILBIND_LOAD_LOG, result.url + "\\n");',
    '  return result;',
    '}',
  ].join('\n'));
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  return ['--import', pathToFileURL(join(dir, 'register.mjs')).href];
}
