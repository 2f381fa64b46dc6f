import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export type ProcessResult = { code: number | null; stdout: string; stderr: string };

/** The command line's entry point, `src/main.ts`. */
export const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/**
 * Runs `relais <args>` as a process of its own, as `npm run relais --` does (from any working
 * directory: the TypeScript loader is found from here), and returns its exit code and output.
 */
export async function runRelaisProcess(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<ProcessResult> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], {
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
