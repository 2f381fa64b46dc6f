import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { moduleBeside, runsFromSources } from './module-url.ts';

export type ProcessResult = { code: number | null; stdout: string; stderr: string };

/** The command line's entry point: `src/main.ts`, or `dist/main.js` in a built instance. */
export const MAIN = fileURLToPath(moduleBeside('../main', import.meta.url));

/** The sources need the TypeScript loader (found from here); the build runs as it is. */
const LOADER = runsFromSources(import.meta.url) ? ['--import', import.meta.resolve('tsx')] : [];

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
