import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { format, promisify } from 'node:util';
import { type CliOptions, runCli } from '../../src/main.ts';
import { runRelaisProcess } from '../../src/platform/cli-process.ts';
import { type Db, openDatabase } from '../../src/platform/db/database.ts';
import { createTestDatabase } from './database.ts';

export const MAIN = path.resolve('src/main.ts');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** What every run of the command line gets unless a test says otherwise. */
const BASE_ENV = { DATABASE_URL: '', LOG_LEVEL: 'silent' };

let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs `relais <args>` inside the test process: the program of the command line (`runCli`),
 * with the given environment, returning its exit code and output (what goes through `console`
 * and what is written to `process.stdout` and `process.stderr`). A new Node.js process costs
 * seconds of module loading, so only what a process alone shows (`serve`, signals, the exit
 * code of the real binary) goes through `spawnRelais`. Runs one at a time, since each sets
 * `process.env` for its duration. `options` pass to `runCli` (see `openCliDatabase`).
 */
export function runRelais(
  args: string[],
  env: Record<string, string> = {},
  options: CliOptions = {},
): Promise<CliResult> {
  const run = previousRun.then(() => runInProcess(args, { ...BASE_ENV, ...env }, options));
  previousRun = run.catch(() => {});
  return run;
}

/** A stream that keeps what is written to it, standing for `process.stdout` or `process.stderr`. */
function capture(append: (text: string) => void): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      append(chunk.toString());
      done();
    },
  });
}

async function runInProcess(
  args: string[],
  env: Record<string, string>,
  options: CliOptions,
): Promise<CliResult> {
  const savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const { log, info, warn, error } = console;
  const streams = {
    stdout: Object.getOwnPropertyDescriptor(process, 'stdout')!,
    stderr: Object.getOwnPropertyDescriptor(process, 'stderr')!,
  };
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, env);
  console.log = console.info = (...parts: unknown[]) => {
    stdout += `${format(...parts)}\n`;
  };
  console.warn = console.error = (...parts: unknown[]) => {
    stderr += `${format(...parts)}\n`;
  };
  // The command looks `process.stdout` up when it writes; the test runner's reporter keeps the
  // stream it was given, so its output still reaches the real one.
  const out = capture((text) => {
    stdout += text;
  });
  const err = capture((text) => {
    stderr += text;
  });
  Object.defineProperty(process, 'stdout', { ...streams.stdout, get: () => out });
  Object.defineProperty(process, 'stderr', { ...streams.stderr, get: () => err });
  try {
    const code = await runCli(args, options);
    return { code, stdout, stderr };
  } finally {
    Object.defineProperty(process, 'stdout', streams.stdout);
    Object.defineProperty(process, 'stderr', streams.stderr);
    Object.assign(console, { log, info, warn, error });
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export type CliDatabase = {
  /** The test's own handle on the database: to prepare data and read what a command did. */
  db: Db;
  /** The environment of every command (with PostgreSQL: `DATABASE_URL`). */
  env: Record<string, string>;
  /** Runs `relais <args>` in the test process on this database, with `env` added to its own. */
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
};

/**
 * A test database (`createTestDatabase`: empty, or with the demo) that commands run on in the
 * test process. On PGlite, each command gets its own handle on the database the test holds open
 * (PGlite serves one process, and opening it from disk costs a second or more), instead of the
 * data directory it would open; on PostgreSQL, commands open the server's database as they do in
 * production. Everything else is the real command line: configuration from `env`, argument
 * parsing, migrations, the command and its output. The test reads and writes through `db`
 * between commands, never while one runs.
 */
export async function openCliDatabase(options: { demo?: boolean } = {}): Promise<CliDatabase> {
  const database = await createTestDatabase(options);
  const { pglite } = database;
  const cliOptions: CliOptions = pglite ? { openDatabase: () => openDatabase({ pglite }) } : {};
  return {
    db: database.db,
    env: database.env,
    run: (args, env = {}) => runRelais(args, { ...database.env, ...env }, cliOptions),
    close: () => database.close(),
  };
}

/** Runs `relais <args>` as a real process, as `npm run relais --` does. */
export function spawnRelais(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runRelaisProcess(args, { env: { ...process.env, ...BASE_ENV, ...env } });
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts `relais serve` and resolves once it prints that it is ready. */
export function startServer(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  return spawnUntilReady(['--import', 'tsx', MAIN, 'serve', ...args], {
    ...process.env,
    DATABASE_URL: '',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/**
 * Runs Node.js with `args` and exactly `env`, and resolves once the process prints that Relais
 * is ready (within 90 seconds); rejects with its output if it exits first.
 */
export async function spawnUntilReady(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d) => {
    output += d;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    child.stdout!.on('data', (d) => {
      output += d;
      if (output.includes('Relais est prêt')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output };
}

/**
 * Builds dist/ as a deployment does (`npm run build`), for a test or a bench that starts what
 * the deployment example runs. Fails with the build's output.
 */
export async function buildApp(): Promise<void> {
  await promisify(execFile)(process.execPath, [
    fileURLToPath(new URL('../../scripts/build.cjs', import.meta.url)),
  ]);
}
