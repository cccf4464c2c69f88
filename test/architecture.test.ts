// DESIGN §3 (module map): arrows point inward only. This reads the imports of every .ts under src/ and
// lists each one that crosses an arrow the table below does not allow.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// ---- the arrows: what each part of src/ may import besides itself ----

type Part = 'cli' | 'server' | 'app' | 'engine' | 'sources' | 'store' | 'tracker' | 'tracker/builtin' | 'rules' | 'mail';

/**
 * The arrows, one row per part: what it may import besides itself. tracker/*.ts is the Tracker port,
 * tracker/builtin/ an adapter. Only cli/ lists server/ (`serve` starts it), only cli/ and server/ list
 * app/: nothing else may import them.
 */
const ARROWS: Record<Part, { name: string; mayImport: readonly Part[] }> = {
  // serve starts the HTTP face (server/serve.ts); everything else the CLI does goes through app/
  cli: { name: 'cli/', mayImport: ['app', 'server'] },
  server: { name: 'server/', mayImport: ['app'] },
  // the service is assembled here
  app: { name: 'app/', mayImport: ['engine', 'sources', 'store', 'tracker', 'tracker/builtin', 'rules', 'mail'] },
  // never an adapter, sources/ or app/
  engine: { name: 'engine/', mayImport: ['store', 'tracker', 'rules', 'mail'] },
  // sources only write the inbox: never engine/, tracker/ or app/
  sources: { name: 'sources/', mayImport: ['store', 'mail'] },
  store: { name: 'store/', mayImport: ['mail', 'rules'] },
  tracker: { name: 'the tracker port (tracker/*.ts)', mayImport: ['rules', 'mail'] },
  'tracker/builtin': { name: 'tracker/builtin/', mayImport: ['tracker', 'store', 'mail', 'rules'] },
  rules: { name: 'rules/', mayImport: [] },
  mail: { name: 'mail/', mayImport: [] },
};

/**
 * Single files a part may import although their folder is not on its row, each with its reason. An
 * entry here is a decision recorded against DESIGN §3; keep the list short.
 */
const ALSO: ReadonlyArray<{ part: Part; file: string; why: string }> = [
  {
    part: 'store',
    file: 'sources/settings.ts',
    why: "Profile.source is typed by the one settings schema (a type import; the file imports only zod and settings-core)",
  },
];

function rule(part: Part): string {
  const allowed = ARROWS[part].mayImport.map((p) => ARROWS[p].name);
  if (allowed.length === 0) return `${ARROWS[part].name} may import nothing of ours outside itself`;
  const list = allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} and ${allowed[allowed.length - 1]}`;
  return `${ARROWS[part].name} may only import ${list}`;
}

// ---- which part a file is in ----

/** `path` relative to src/, '/'-separated. Undefined for a file in no part of the map. */
function partOf(path: string): Part | undefined {
  const [top, second, third] = path.split('/');
  if (top === 'tracker') {
    if (third === undefined) return 'tracker'; // tracker/*.ts
    return second === 'builtin' ? 'tracker/builtin' : undefined; // a new adapter needs its row
  }
  return top !== undefined && Object.hasOwn(ARROWS, top) && second !== undefined ? (top as Part) : undefined;
}

// ---- reading imports ----

interface Token {
  kind: 'name' | 'string' | 'template' | 'regex' | 'number' | 'punct';
  value: string;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await',
]);

/**
 * The tokens of TypeScript source, as far as finding imports needs: comments dropped; strings with their
 * contents; template literals as one token, their `${…}` code tokenized in line; regex literals told
 * from division by the token before them.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const regexMayFollow = () => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.kind === 'punct') return !')]'.includes(last.value);
    return last.kind === 'name' && KEYWORDS_BEFORE_EXPRESSION.has(last.value);
  };

  /** Code from `i` up to the `}` closing a template substitution (or the end); returns the index after it. */
  function code(i: number, inTemplate: boolean): number {
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      const next = text[i + 1];
      if (/\s/.test(c)) i++;
      else if (c === '/' && next === '/') i = lineEnd(i);
      else if (c === '/' && next === '*') i = commentEnd(i);
      else if (c === "'" || c === '"') i = quoted(i, c);
      else if (c === '`') i = template(i + 1);
      else if (c === '/' && regexMayFollow()) i = regex(i);
      else if (/[A-Za-z_$]/.test(c)) i = word(i, /[\w$]/, 'name');
      else if (/[0-9]/.test(c)) i = word(i, /[\w.]/, 'number');
      else {
        if (c === '}' && inTemplate && depth === 0) return i + 1;
        if (c === '{') depth++;
        if (c === '}') depth--;
        tokens.push({ kind: 'punct', value: c });
        i++;
      }
    }
    return i;
  }
  function lineEnd(i: number): number {
    const end = text.indexOf('\n', i);
    return end === -1 ? text.length : end;
  }
  function commentEnd(i: number): number {
    const end = text.indexOf('*/', i + 2);
    return end === -1 ? text.length : end + 2;
  }
  function word(i: number, rest: RegExp, kind: Token['kind']): number {
    let end = i + 1;
    while (end < text.length && rest.test(text[end]!)) end++;
    tokens.push({ kind, value: text.slice(i, end) });
    return end;
  }
  function quoted(i: number, quote: string): number {
    let value = '';
    for (let j = i + 1; j < text.length && text[j] !== '\n'; j++) {
      if (text[j] === quote) {
        tokens.push({ kind: 'string', value });
        return j + 1;
      }
      if (text[j] === '\\') j++;
      value += text[j];
    }
    return lineEnd(i); // unterminated: give up on the line
  }
  function template(i: number): number {
    while (i < text.length) {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '`') break;
      else if (text[i] === '$' && text[i + 1] === '{') i = code(i + 2, true);
      else i++;
    }
    tokens.push({ kind: 'template', value: '' });
    return i + 1;
  }
  function regex(i: number): number {
    let inClass = false;
    for (let j = i + 1; j < text.length && text[j] !== '\n'; j++) {
      const c = text[j];
      if (c === '\\') j++;
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        let end = j + 1;
        while (end < text.length && /[a-z]/.test(text[end]!)) end++; // flags
        tokens.push({ kind: 'regex', value: text.slice(i, end) });
        return end;
      }
    }
    return lineEnd(i);
  }

  code(0, false);
  return tokens;
}

/**
 * The specifiers of `import … from '…'`, `import type … from '…'`, `export … from '…'`, `import '…'`
 * and `import('…')` (in code or in a type), in order.
 */
function importSpecifiers(text: string): string[] {
  const tokens = tokenize(text);
  const found: string[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'name' || tokens[i - 1]?.value === '.') return;
    const next = tokens[i + 1];
    const after = tokens[i + 2];
    if (t.value === 'from' && next?.kind === 'string') found.push(next.value);
    else if (t.value === 'import' && next?.kind === 'string') found.push(next.value);
    else if (t.value === 'import' && next?.value === '(' && after?.kind === 'string') found.push(after.value);
  });
  return found;
}

// ---- the check ----

/** `files` maps paths relative to src/ ('/'-separated) to their text. One line per violation, sorted. */
function violations(files: ReadonlyMap<string, string>): string[] {
  const found = new Set<string>();
  for (const [path, text] of files) {
    const from = partOf(path);
    if (!from) {
      found.add(`src/${path} is in no part of the module map: add its folder to the table (DESIGN §3)`);
      continue;
    }
    for (const specifier of importSpecifiers(text)) {
      if (!specifier.startsWith('.')) continue; // a package or node: module
      const target = posix.normalize(posix.join(posix.dirname(path), specifier)).replace(/\.js$/, '.ts');
      if (target.startsWith('../')) continue; // outside src/: not a part of the map
      const to = partOf(target);
      if (to === from || (to && ARROWS[from].mayImport.includes(to))) continue;
      if (ALSO.some((a) => a.part === from && a.file === target)) continue;
      found.add(`src/${path} imports src/${target}: ${rule(from)}`);
    }
  }
  return [...found].sort();
}

function sourceFiles(root: string, dir = root, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(root, path, out);
    else if (name.endsWith('.ts')) out.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
  }
  return out;
}

// This file runs as dist/test/architecture.test.js; the sources are in src/ at the repository root.
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

test('every import in src/ follows the arrows of DESIGN §3', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.size > 0, `no .ts files under ${SRC}`);
  const found = violations(files);
  if (found.length === 0) return;
  const counts = new Map<string, number>();
  for (const line of found) {
    const why = line.slice(line.indexOf(': ') + 2);
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const summary = [...counts].map(([why, n]) => `  ${n} × ${why}`).join('\n');
  assert.fail(`${found.length} import(s) against DESIGN §3:\n${summary}\n${found.join('\n')}`);
});

test('the check finds every kind of violation and every form of import', () => {
  const file = (imports: string) => `// a file\n${imports}\nexport const x = 1;\n`;
  const files = new Map<string, string>([
    // allowed
    ['cli/main.ts', file("import { run } from '../app/run.js';\nimport { ctx } from './context.js';")],
    ['server/http.ts', file("import { run } from '../app/run.js';")],
    ['app/run.ts', file("import { BuiltinTracker } from '../tracker/builtin/index.js';\nimport '../engine/loop.js';")],
    ['engine/loop.ts', file("import type { Tracker } from '../tracker/port.js';\nimport { parseRules } from '../rules/index.js';")],
    ['tracker/builtin/index.ts', file("import type { Tracker } from '../port.js';\nimport { openStore } from '../../store/database.js';")],
    ['store/profiles.ts', file("import { parseRules } from '../rules/index.js';\nimport { z } from 'zod';\nimport { readFileSync } from 'node:fs';")],
    // one violation of each kind, each written in another form of import
    ['rules/parser.ts', file("import {\n  parseMessage,\n  type Message,\n} from '../mail/index.js';")],
    ['mail/parse.ts', file("export { openStore } from '../store/database.js';")],
    ['cli/rules.ts', file("import type { Plan } from '../engine/plan.js';\nimport { explain } from '../engine/plan.js';")],
    ['server/routes.ts', file("export * from '../store/inbox.js';")],
    ['engine/process.ts', file("const t = await import('../tracker/builtin/index.js');")],
    ['engine/decide.ts', file("import '../sources/intake.js';\nlet item: import('../app/status.js').Status;")],
    ['sources/intake.ts', file("import { Processor } from '../engine/process.js';\nimport { x } from '../tracker/port.js';")],
    ['store/inbox.ts', file("import { run } from '../app/run.js';")],
    ['tracker/port.ts', file("import { openStore } from '../store/database.js';")],
    ['tracker/builtin/writer.ts', file("import { decide } from '../../engine/decide.js';")],
    ['app/admin.ts', file("import { main } from '../cli/main.js';\nimport { serve } from '../server/http.js';")],
    ['util/misc.ts', file('')],
    ['tracker/jira/index.ts', file('')],
    // a quote in a regex opens no string, a slash after an operand is a division
    ['mail/regex.ts', "const quote = /[\"']/g; const a = await import('../store/a.js');\nconst half = (n) / 2; const b = await import('../store/b.js');"],
    // imports that are not: in comments, strings, templates, regexes, or a method named import
    [
      'mail/quiet.ts',
      [
        "// import { a } from '../store/a.js';",
        "/* import('../store/b.js')\n   export * from '../store/c.js' */",
        "const s = \"import '../store/d.js'\";",
        "const t = `from '../store/e.js' ${`import('../store/f.js')`} ${'x'}`;",
        "const r = /'|\\/\\/ import('../store/g.js')/g; const half = 1 / 2; // from '../store/h.js'",
        "loader.import('../store/i.js');",
        "const u = 'http://example.com'; import { ok } from './ok.js';",
      ].join('\n'),
    ],
  ]);
  const cli = 'cli/ may only import app/ and server/';
  const engine = 'engine/ may only import store/, the tracker port (tracker/*.ts), rules/ and mail/';
  const sources = 'sources/ may only import store/ and mail/';
  assert.deepEqual(violations(files), [
    'src/app/admin.ts imports src/cli/main.ts: app/ may only import engine/, sources/, store/, the tracker port (tracker/*.ts), tracker/builtin/, rules/ and mail/',
    'src/app/admin.ts imports src/server/http.ts: app/ may only import engine/, sources/, store/, the tracker port (tracker/*.ts), tracker/builtin/, rules/ and mail/',
    `src/cli/rules.ts imports src/engine/plan.ts: ${cli}`,
    `src/engine/decide.ts imports src/app/status.ts: ${engine}`,
    `src/engine/decide.ts imports src/sources/intake.ts: ${engine}`,
    `src/engine/process.ts imports src/tracker/builtin/index.ts: ${engine}`,
    'src/mail/parse.ts imports src/store/database.ts: mail/ may import nothing of ours outside itself',
    'src/mail/regex.ts imports src/store/a.ts: mail/ may import nothing of ours outside itself',
    'src/mail/regex.ts imports src/store/b.ts: mail/ may import nothing of ours outside itself',
    'src/rules/parser.ts imports src/mail/index.ts: rules/ may import nothing of ours outside itself',
    'src/server/routes.ts imports src/store/inbox.ts: server/ may only import app/',
    `src/sources/intake.ts imports src/engine/process.ts: ${sources}`,
    `src/sources/intake.ts imports src/tracker/port.ts: ${sources}`,
    'src/store/inbox.ts imports src/app/run.ts: store/ may only import mail/ and rules/',
    'src/tracker/builtin/writer.ts imports src/engine/decide.ts: tracker/builtin/ may only import the tracker port (tracker/*.ts), store/, mail/ and rules/',
    'src/tracker/jira/index.ts is in no part of the module map: add its folder to the table (DESIGN §3)',
    'src/tracker/port.ts imports src/store/database.ts: the tracker port (tracker/*.ts) may only import rules/ and mail/',
    'src/util/misc.ts is in no part of the module map: add its folder to the table (DESIGN §3)',
  ]);
});
