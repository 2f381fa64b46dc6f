import { type ChildProcess, spawn } from 'node:child_process';
import { globSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * `npm test`: every test file on PGlite; with `DATABASE_URL` set, only the files where the engine
 * matters (test/postgres-files.txt), since the others would run the same code again; with
 * `DATABASE_URL` set and `--both-engines`, both passes at once (what CI runs). Options
 * (`--test-reporter=tap`, `--test-name-pattern=…`) pass to `node --test`; file paths replace the
 * default set.
 *
 * Loading the app's modules costs a Node.js process seconds, so files run in batches: each batch
 * is one process that runs its files one after the other (`--test-isolation=none`; every file
 * keeps its resources inside its `describe` blocks, see `isolated` below), one batch per core at
 * a time, the heaviest first. A batch's report is printed whole when it ends.
 */

const PATTERNS = ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'];
const LIST = 'test/postgres-files.txt';

export function testFiles(): string[] {
  return PATTERNS.flatMap((pattern) => globSync(pattern)).sort();
}

export function postgresFiles(): string[] {
  return listed(LIST).map((entry) => entry.file);
}

/**
 * Files that use a test database where the engine cannot matter (a PDF's layout, a mail, a
 * parser fed from real files…): the PGlite pass runs them, the PostgreSQL pass does not. Each
 * entry gives its reason after `#`.
 */
export const NEUTRAL_LIST = 'test/engine-neutral-files.txt';

export function engineNeutralFiles(): { file: string; reason: string }[] {
  return listed(NEUTRAL_LIST);
}

/** The entries of a list file: one path per line, then `# reason`; lines of comment only skipped. */
function listed(list: string): { file: string; reason: string }[] {
  return readFileSync(list, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [file = '', ...reason] = line.split('#');
      return { file: file.trim(), reason: reason.join('#').trim() };
    });
}

/**
 * Files that need a process of their own: they register hooks at the top level (which would
 * apply to every file of a batch) or change what the process holds for good.
 */
const ISOLATED = /^(before|after|beforeEach|afterEach)\(/m;

export function isolated(file: string): boolean {
  return ISOLATED.test(readFileSync(file, 'utf8'));
}

/** What sets up a test database or a server: each costs about as much as 8 kB of tests. */
const SETUP =
  /\b(createTestApp|createTestDatabase|createTestDataDir|openCliDatabase|browserHarness|startServer)\(/g;

/**
 * What a file is expected to cost, for the order of batches: its size and its setups, five
 * times for files that drive a browser (a page costs more than a request).
 */
function weight(file: string): number {
  const source = readFileSync(file, 'utf8');
  const cost = source.length + 8000 * (source.match(SETUP)?.length ?? 0);
  return file.startsWith('test/e2e/') || source.includes('browserHarness(') ? cost * 5 : cost;
}

/** A batch weighs at least this much: a new process costs about as much as 20 kB of tests. */
const MIN_BATCH = 100_000;

/**
 * Groups files into batches of about equal weight, heaviest first: about `perWorker` batches for
 * each of `workers` running at once, so that the last ones to end are small, but none so light
 * that starting its process would cost much of its time.
 */
export function batches(files: string[], workers: number, perWorker = 2): string[][] {
  const weighed = files.map((file) => ({ file, weight: weight(file) })).sort((a, b) => b.weight - a.weight);
  const total = weighed.reduce((sum, f) => sum + f.weight, 0);
  const cap = Math.max(MIN_BATCH, total / (workers * perWorker));
  const result: { files: string[]; weight: number }[] = [];
  let current: { files: string[]; weight: number } | undefined;
  for (const f of weighed) {
    if (isolated(f.file)) {
      result.push({ files: [f.file], weight: f.weight });
      continue;
    }
    if (!current || current.weight + f.weight > cap) {
      current = { files: [], weight: 0 };
      result.push(current);
    }
    current.files.push(f.file);
    current.weight += f.weight;
  }
  return result.sort((a, b) => b.weight - a.weight).map((b) => b.files);
}

const running = new Set<ChildProcess>();

/** A batch of files and the database engine they run on (`postgres`: that server's URL; none: PGlite). */
type Batch = { files: string[]; postgres?: string | undefined };

/** Runs one batch, its output collected; resolves with its exit status. */
function runBatch(batch: Batch, options: string[]): Promise<{ status: number; output: string }> {
  const { files } = batch;
  const isolation = files.length === 1 && isolated(files[0]!) ? [] : ['--test-isolation=none'];
  const env = { ...process.env };
  // A PGlite batch of a run over both engines must not see the server's URL.
  if (batch.postgres) env.DATABASE_URL = batch.postgres;
  else delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    // A test that hangs fails after two minutes instead.
    ['--import', 'tsx', '--test', ...isolation, '--test-timeout=120000', ...options, ...files],
    // Its own process group: stopping the batch stops the servers and browsers it started too.
    { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true },
  );
  running.add(child);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stderr.on('data', (d: Buffer) => chunks.push(d));
  // A test that timed out may leave a child process holding the batch open: stop it all.
  const timer = setTimeout(() => {
    chunks.push(Buffer.from(`\n== stopped: still running after ${BATCH_TIMEOUT_MS / 60_000} minutes\n`));
    stopGroup(child, 'SIGKILL');
  }, BATCH_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ status: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() });
    });
  });
}

/**
 * Whether a batch's process was aborted by V8 itself (`# Fatal error in …`, `Check failed`):
 * V8 13 in Node.js 24 sometimes aborts when many embedded databases' WebAssembly code is freed
 * in one process (nodejs/node#64500), whatever the tests do.
 */
function crashedInEngine(output: string): boolean {
  return /^# Fatal error in .*\n# Check failed: /m.test(output);
}

/** Longest a batch may run: far above the slowest (about three minutes on a busy machine). */
const BATCH_TIMEOUT_MS = 10 * 60_000;

/** Sends `signal` to a batch's process group (the batch and every process it started). */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The batches to run. `--both-engines` (with `DATABASE_URL`) runs both passes at once, as CI
 * does: every file on PGlite, and the PostgreSQL list on that server, in one queue (a core that
 * waits on the server runs a PGlite batch meanwhile). Otherwise one pass: PostgreSQL when
 * `DATABASE_URL` is set, PGlite when not.
 */
function plan(named: string[], bothEngines: boolean, workers: number): Batch[] {
  const postgres = process.env.DATABASE_URL;
  if (!bothEngines || !postgres) {
    const files = named.length > 0 ? named : postgres ? postgresFiles() : testFiles();
    return batches(files, workers).map((files) => ({ files, postgres }));
  }
  const listed = postgresFiles();
  const pglite = batches(named.length > 0 ? named : testFiles(), workers).map((files) => ({ files }));
  const onServer = named.length > 0 ? named.filter((file) => listed.includes(file)) : listed;
  const server = batches(onServer, workers).map((files) => ({ files, postgres }));
  // Heaviest first over both, by the order each pass already has: alternate them.
  const queue: Batch[] = [];
  for (let i = 0; i < Math.max(pglite.length, server.length); i++) {
    if (pglite[i]) queue.push(pglite[i]!);
    if (server[i]) queue.push(server[i]!);
  }
  return queue;
}

const label = (batch: Batch) => `${batch.postgres ? '[PostgreSQL] ' : ''}${batch.files.join(' ')}`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const bothEngines = args.includes('--both-engines');
  if (bothEngines && !process.env.DATABASE_URL) {
    process.stderr.write('--both-engines: set DATABASE_URL to the PostgreSQL server to test on.\n');
    return 2;
  }
  const options = args.filter((arg) => arg.startsWith('-') && arg !== '--both-engines');
  const named = args.filter((arg) => !arg.startsWith('-'));
  // Both passes at once: one more process than cores, since PostgreSQL batches wait on the server.
  const workers = Math.max(
    1,
    Number(process.env.TEST_WORKERS) || availableParallelism() + (bothEngines ? 1 : 0),
  );
  // Stopped (Ctrl-C, a CI timeout): the batches stop too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      for (const child of running) stopGroup(child, signal);
      process.exit(130);
    });
  const queue = plan(named, bothEngines, workers);
  const count = queue.length;
  const fileCount = queue.reduce((sum, b) => sum + b.files.length, 0);
  const failed: Batch[] = [];
  const totals = new Map<string, number>();
  const start = performance.now();
  async function worker(): Promise<void> {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const began = performance.now();
      process.stdout.write(`\n== started: ${label(batch)}\n`);
      let { status, output } = await runBatch(batch, options);
      if (crashedInEngine(output)) {
        // Not a test that failed: the engine aborted. Run the batch once more, and say so.
        const again = await runBatch(batch, options);
        status = again.status;
        output = `${output}\n== the batch crashed in V8 (see above), not in a test: run again\n${again.output}`;
      }
      const seconds = ((performance.now() - began) / 1000).toFixed(1);
      process.stdout.write(`\n== ${label(batch)} (${seconds} s)\n${output}`);
      // The spec reporter's summary lines (« ℹ pass 12 »), added up over the batches.
      for (const [, name, value] of output.matchAll(
        /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/gm,
      ))
        totals.set(name!, (totals.get(name!) ?? 0) + Number(value));
      if (status !== 0) failed.push(batch);
    }
  }
  await Promise.all(Array.from({ length: Math.min(workers, count) }, worker));
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const summary = [...totals].map(([name, value]) => `${name} ${value}`).join(', ');
  process.stdout.write(
    `\n== ${fileCount} files in ${count} batches, ${workers} at a time: ${seconds} s${summary ? `; ${summary}` : ''}\n`,
  );
  if (failed.length > 0) {
    process.stdout.write(`== Failed batches:\n${failed.map((b) => `  ${label(b)}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

if (import.meta.main) process.exit(await main());
