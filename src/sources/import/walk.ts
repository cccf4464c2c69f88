// Expands the paths given to `mailbind import` into messages: single files (.eml and friends), folders
// of them (recursively), mbox files, and Maildir folders (cur/ and new/). Each message carries a label
// saying where it came from.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { looksLikeMbox, splitMbox } from './mbox.js';
import { looksLikeMessage } from '../../mail/header-scan.js';

export interface ImportedMessage {
  label: string;
  content: NodeJS.ReadableStream | Buffer;
}

export class ImportPathError extends Error {}

// A mail file may begin with an mbox-style "From " envelope line; it is still one message.
const MAIL_EXTENSIONS = new Set(['.eml', '.msg', '.mail', '.txt']);
const MBOX_EXTENSIONS = new Set(['.mbox', '.mbx']);

export async function* walkImportPaths(paths: string[]): AsyncGenerator<ImportedMessage> {
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new ImportPathError(`${path}: no such file or folder`);
    });
    if (info.isDirectory()) yield* walkFolder(path);
    else yield* fromFile(path, true);
  }
}

async function* walkFolder(dir: string): AsyncGenerator<ImportedMessage> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  if (names.has('cur') && names.has('new')) {
    for (const sub of ['new', 'cur']) {
      for (const name of (await readdir(join(dir, sub))).sort()) {
        if (!name.startsWith('.')) yield { label: join(dir, sub, name), content: createReadStream(join(dir, sub, name)) };
      }
    }
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFolder(path);
    else if (entry.isFile()) yield* fromFile(path, false);
  }
}

// Named files are always imported; inside folders only files that look like mail are, so READMEs and
// expected-result files next to messages are passed over.
async function* fromFile(path: string, named: boolean): AsyncGenerator<ImportedMessage> {
  const head = await readHead(path);
  const ext = extname(path).toLowerCase();
  if (MBOX_EXTENSIONS.has(ext) || (!MAIL_EXTENSIONS.has(ext) && looksLikeMbox(head))) {
    let n = 0;
    for await (const message of splitMbox(path)) {
      n += 1;
      yield { label: `${path}#${n}`, content: message };
    }
    return;
  }
  if (!named && !((MAIL_EXTENSIONS.has(ext) || ext === '') && looksLikeMessage(head))) return;
  yield { label: path, content: createReadStream(path) };
}


async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
