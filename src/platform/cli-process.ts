import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProcessResult = { code: number | null; stdout: string; stderr: string };

/** This file's extension: `.ts` run from the sources, `.js` from the build (dist/). */
const OWN_EXTENSION = path.extname(import.meta.url);

/** The command line's entry point: `src/main.ts`, or `dist/main.js` in a built instance. */
export const MAIN = fileURLToPath(new URL(`../main${OWN_EXTENSION}`, import.meta.url));

/** The sources need the TypeScript loader (found from here); the build runs as it is. */
const LOADER = OWN_EXTENSION === '.ts' ? ['--import', import.meta.resolve('tsx')] : [];

/**
 * Runs `relais <args>` as a process of its own, as `npm run relais --` does (from any working
 * directory: the TypeScript loader is found from here), and returns its exit code and output.
 */
export async function runRelaisProcess(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<ProcessResult> {
  const child = spawn(process.execPath, [...LOADER, MAIN, ...args], {
    cwd: options.cwd,
    env: options.env,
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
