// Expands the paths given to `mailbind import` into what they hold: messages from single files (.eml
// and friends), folders of them (recursively), mbox files and Maildir folders (cur/ and new/); and, for
// everything else met on the way, why it is not a message: not mail, or not readable. Nothing is passed
// over without saying so. Each file is judged by its first 4 KiB; a message is then streamed from the
// same open file, never read whole just to be judged.
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { looksLikeMbox, splitMbox } from './mbox.js';
import { looksLikeMessage } from '../../mail/header-scan.js';

export type ImportEntry =
  | { kind: 'message'; label: string; content: NodeJS.ReadableStream | Buffer }
  /** A readable file (or mbox entry) that is not a mail message; `reason` says why. */
  | { kind: 'not-mail'; label: string; reason: string }
  /** A path that could not be read (missing, a dangling link, a FIFO, permission, I/O error). */
  | { kind: 'unreadable'; label: string; reason: string };

export const EMPTY_FILE = 'empty file';
export const NOT_A_MESSAGE = 'not a mail message (it does not start with a header)';

// A mail file may begin with an mbox-style "From " envelope line; it is still one message.
const MAIL_EXTENSIONS = new Set(['.eml', '.msg', '.mail', '.txt']);
const MBOX_EXTENSIONS = new Set(['.mbox', '.mbx']);
const HEAD_BYTES = 4096;

export async function* walkImportPaths(paths: string[]): AsyncGenerator<ImportEntry> {
  // Folders already walked, by device and inode: a symbolic link back up the tree is walked once.
  const walked = new Set<string>();
  for (const path of paths) yield* fromPath(path, 'named', walked);
}

type Place = 'named' | 'folder' | 'maildir';

// stat, not a directory entry's type: a symbolic link is followed, and a dangling one reported.
async function* fromPath(path: string, place: Place, walked: Set<string>): AsyncGenerator<ImportEntry> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    yield unreadable(path, error as NodeJS.ErrnoException);
    return;
  }
  if (!info.isDirectory()) yield* fromFile(path, info, place !== 'folder');
  else if (!walked.has(`${info.dev}:${info.ino}`)) {
    walked.add(`${info.dev}:${info.ino}`);
    yield* walkFolder(path, walked);
  }
}

async function* walkFolder(dir: string, walked: Set<string>): AsyncGenerator<ImportEntry> {
  const names = await namesIn(dir);
  if (!Array.isArray(names)) {
    yield names;
    return;
  }
  // In a Maildir every file of cur/ and new/ is one message, whatever its name. Its tmp/ (deliveries
  // under way) and the files beside cur/ and new/ (the mail server's indexes) are the Maildir's own;
  // any other folder in it, or inside cur/ and new/, is walked like any folder: nothing is passed over.
  const maildir = names.includes('cur') && names.includes('new');
  if (!maildir) {
    for (const name of names) yield* fromPath(join(dir, name), 'folder', walked);
    return;
  }
  for (const box of ['new', 'cur']) {
    const files = await namesIn(join(dir, box));
    if (!Array.isArray(files)) yield files;
    else for (const file of files) yield* fromPath(join(dir, box, file), 'maildir', walked);
  }
  for (const name of names.filter((n) => n !== 'new' && n !== 'cur' && n !== 'tmp')) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) yield* fromPath(path, 'folder', walked);
  }
}

/** The names in a folder, hidden ones left out, sorted; or why it cannot be read. */
async function namesIn(dir: string): Promise<string[] | ImportEntry> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort((a, b) => a.localeCompare(b));
  } catch (error) {
    return unreadable(dir, error as NodeJS.ErrnoException);
  }
}

// A file named on the command line, or in a Maildir, is judged by its content alone. Inside other
// folders a file must also have a mail extension (or none), so READMEs and expected-result files next
// to messages are reported as not mail rather than imported.
async function* fromFile(path: string, info: Stats, byContentOnly: boolean): AsyncGenerator<ImportEntry> {
  if (!info.isFile()) {
    yield { kind: 'unreadable', label: path, reason: `not a regular file (${fileKind(info)})` };
    return;
  }
  const ext = extname(path).toLowerCase();
  let handle: FileHandle;
  let head: Buffer;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    yield unreadable(path, error as NodeJS.ErrnoException);
    return;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } catch (error) {
    await handle.close().catch(() => {});
    yield unreadable(path, error as NodeJS.ErrnoException);
    return;
  }
  if (MBOX_EXTENSIONS.has(ext) || (!MAIL_EXTENSIONS.has(ext) && looksLikeMbox(head))) {
    await handle.close();
    yield* fromMbox(path, head);
    return;
  }
  const reason =
    head.length === 0
      ? EMPTY_FILE
      : !byContentOnly && !MAIL_EXTENSIONS.has(ext) && ext !== ''
        ? `not a mail file (${ext} is not a mail extension)`
        : looksLikeMessage(head)
          ? null
          : NOT_A_MESSAGE;
  if (reason) {
    await handle.close();
    yield { kind: 'not-mail', label: path, reason };
    return;
  }
  yield { kind: 'message', label: path, content: handle.createReadStream({ start: 0 }) };
}

async function* fromMbox(path: string, head: Buffer): AsyncGenerator<ImportEntry> {
  if (head.length === 0) {
    yield { kind: 'not-mail', label: path, reason: EMPTY_FILE };
    return;
  }
  let n = 0;
  try {
    for await (const message of splitMbox(path)) {
      n += 1;
      const label = `${path}#${n}`;
      if (looksLikeMessage(message)) yield { kind: 'message', label, content: message };
      else yield { kind: 'not-mail', label, reason: message.length === 0 ? 'empty mbox entry' : NOT_A_MESSAGE };
    }
  } catch (error) {
    yield unreadable(n ? `${path}#${n + 1}` : path, error as NodeJS.ErrnoException);
  }
}

function unreadable(path: string, error: NodeJS.ErrnoException): ImportEntry {
  return { kind: 'unreadable', label: path, reason: describeFsError(error) };
}

function describeFsError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file or folder (or a symbolic link to nothing)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it became a folder while being read';
    case 'ELOOP':
      return 'a loop of symbolic links';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

function fileKind(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}
