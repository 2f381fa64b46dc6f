import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { format } from 'node:util';
import { runCli } from '../../src/main.ts';

export const MAIN = path.resolve('src/main.ts');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** What every run of the command line gets unless a test says otherwise. */
const BASE_ENV = { DATABASE_URL: '', LOG_LEVEL: 'silent' };

let previousRun: Promise<unknown> = Promise.resolve();

/**
 * Runs `relais <args>` inside the test process: the program of the command line (`runCli`),
 * with the given environment, returning its exit code and output. A new Node.js process costs
 * seconds of module loading, so only what a process alone shows (standard output streamed by
 * `process.stdout`, `serve`, signals) goes through `spawnRelais`. Runs one at a time, since each
 * sets `process.env` for its duration.
 */
export function runRelais(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const run = previousRun.then(() => runInProcess(args, { ...BASE_ENV, ...env }));
  previousRun = run.catch(() => {});
  return run;
}

async function runInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const { log, info, warn, error } = console;
  let stdout = '';
  let stderr = '';
  Object.assign(process.env, env);
  console.log = console.info = (...parts: unknown[]) => {
    stdout += `${format(...parts)}\n`;
  };
  console.warn = console.error = (...parts: unknown[]) => {
    stderr += `${format(...parts)}\n`;
  };
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    Object.assign(console, { log, info, warn, error });
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Runs `relais <args>` as a real process, as `npm run relais --` does. */
export async function spawnRelais(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
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
export async function startServer(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => {
    output += d;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
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
