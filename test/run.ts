import { spawnSync } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';

/**
 * `npm test`: every test file on PGlite; with `DATABASE_URL` set, only the files where the engine
 * matters (test/postgres-files.txt), since the others would run the same code again. Options
 * (`--test-reporter=tap`, `--test-name-pattern=…`) pass to `node --test`; file paths replace the
 * default set.
 */

const PATTERNS = ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'];
const LIST = 'test/postgres-files.txt';

export function testFiles(): string[] {
  return PATTERNS.flatMap((pattern) => globSync(pattern)).sort();
}

export function postgresFiles(): string[] {
  return readFileSync(LIST, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function main(): number {
  const args = process.argv.slice(2);
  const options = args.filter((arg) => arg.startsWith('-'));
  const named = args.filter((arg) => !arg.startsWith('-'));
  const files = named.length > 0 ? named : process.env.DATABASE_URL ? postgresFiles() : testFiles();
  const { status } = spawnSync(
    process.execPath,
    // Two files at a time on two cores; a test that hangs fails after two minutes instead.
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...options, ...files],
    { stdio: 'inherit' },
  );
  return status ?? 1;
}

if (import.meta.main) process.exit(main());
