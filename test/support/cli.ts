// Runs the built CLI as a user would, in a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** What users run (`bin`, `npm start`): the bundled command line. */
export const CLI = join(here, '..', '..', 'bundle', 'main.js');
/** The same command line as tsc's modules, for tests that trace which modules a command loads. */
export const CLI_MODULES = join(here, '..', '..', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, input?: Buffer | string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input ?? '');
  });
}

/** Runs a command that must succeed; its stdout parsed as JSON. */
export async function cliJson<T = any>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`mailbind ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export async function cliJsonLines<T = any>(args: string[], env: Record<string, string>): Promise<T[]> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`mailbind ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

export interface RunningCli {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash, an OOM kill): nothing of it runs any more once this resolves. */
  kill(): Promise<void>;
  /** Sends a signal and returns at once. */
  signal(name: NodeJS.Signals): void;
  /** The exit code, once it exited. */
  exited: Promise<number | null>;
}

/** Starts a long-running command (serve, worker) as a user would. */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    signal: (name) => void child.kill(name),
    exited,
  };
}
