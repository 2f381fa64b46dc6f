import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, globSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';

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
 * a time, the longest first, made from each file's time in a recorded run (test/timings.json).
 * A batch's report is printed whole when it ends; the run ends with each pass's time and its
 * slowest files. `--record-timings` keeps the measured times in test/timings.json.
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
 * A guess of what a file costs, from its source, for files test/timings.json does not know yet:
 * its size and its setups, five times for files that drive a browser (a page costs more than
 * a request). Scaled to seconds by the files it does know.
 */
function guess(file: string): number {
  const source = readFileSync(file, 'utf8');
  const cost = source.length + 8000 * (source.match(SETUP)?.length ?? 0);
  return file.startsWith('test/e2e/') || source.includes('browserHarness(') ? cost * 5 : cost;
}

export type Engine = 'pglite' | 'postgres';

/**
 * How long each file took on each engine in a recorded run (seconds, the tests only, not the
 * process around them): what batches are made from. `npm test -- --record-timings` updates the
 * entries of the files it ran.
 */
export const TIMINGS = 'test/timings.json';

export type Timings = Record<Engine, Record<string, number>>;

export function readTimings(): Timings {
  const empty: Timings = { pglite: {}, postgres: {} };
  if (!existsSync(TIMINGS)) return empty;
  return { ...empty, ...(JSON.parse(readFileSync(TIMINGS, 'utf8')) as Partial<Timings>) };
}

/** Each file's expected seconds on `engine`: recorded, else guessed at the rate of the recorded ones. */
export function expectedSeconds(
  files: string[],
  engine: Engine,
  timings = readTimings(),
): Map<string, number> {
  const known = timings[engine];
  let guessed = 0;
  let seconds = 0;
  for (const [file, s] of Object.entries(known))
    if (existsSync(file)) {
      guessed += guess(file);
      seconds += s;
    }
  // Without any recorded time, about 1 s for 10 kB of tests.
  const rate = guessed > 0 && seconds > 0 ? seconds / guessed : 1 / 10_000;
  return new Map(files.map((file) => [file, known[file] ?? guess(file) * rate]));
}

/** What starting a batch's process costs (loading the app's modules), in seconds. */
const PROCESS_SECONDS = 3;
/** A batch lasts at least this long, unless the files are fewer: below, its process would cost much of it. */
const MIN_BATCH_SECONDS = 12;

export type Planned = { files: string[]; seconds: number };

/**
 * Groups files into batches of about equal expected time: about `perWorker` batches for each
 * of `workers` running at once, none lighter than MIN_BATCH_SECONDS unless alone, each file
 * into the lightest batch it fits in (heaviest files first), so that the last batches to end
 * are small. A file with top-level hooks gets a batch of its own.
 */
export function batches(
  files: string[],
  workers: number,
  engine: Engine = 'pglite',
  perWorker = 2,
  timings = readTimings(),
): Planned[] {
  const expected = expectedSeconds(files, engine, timings);
  const weighed = files
    .map((file) => ({ file, seconds: expected.get(file)! }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
  const total = weighed.reduce((sum, f) => sum + f.seconds, 0);
  const cap = Math.max(MIN_BATCH_SECONDS, total / (workers * perWorker));
  const result: Planned[] = [];
  const open: Planned[] = [];
  for (const f of weighed) {
    if (isolated(f.file)) {
      result.push({ files: [f.file], seconds: f.seconds + PROCESS_SECONDS });
      continue;
    }
    let target = open
      .filter((b) => b.seconds + f.seconds <= cap + PROCESS_SECONDS)
      .sort((a, b) => a.seconds - b.seconds)[0];
    if (!target) {
      target = { files: [], seconds: PROCESS_SECONDS };
      open.push(target);
      result.push(target);
    }
    target.files.push(f.file);
    target.seconds += f.seconds;
  }
  return result.sort((a, b) => b.seconds - a.seconds);
}

const running = new Set<ChildProcess>();

/** A batch of files and the database engine they run on (`postgres`: that server's URL; none: PGlite). */
type Batch = { files: string[]; seconds: number; postgres?: string | undefined };

const engineOf = (batch: Batch): Engine => (batch.postgres ? 'postgres' : 'pglite');

/** The reporter that measures each file (test/helpers/durations-reporter.ts), beside the spec reporter. */
const DURATIONS_REPORTER = path.resolve(import.meta.dirname, 'helpers/durations-reporter.ts');
let reports = 0;

type BatchResult = { status: number; output: string; durations: Map<string, number> };

/** A file whose tests are one suite declared through the browser helper (at the top level). */
const BROWSER_SUITE = /^describeBrowser\(/m;

/**
 * Each file's milliseconds, from the reporter's top-level tests in the order they ended. A suite
 * declared through `describeBrowser` is reported as the helper's: it goes back to the batch's
 * files that declare one, in their order (the order they ran in); should those not match one for
 * one, the time stays with the helper, rather than with a file that did not take it.
 */
function byFile(files: string[], ended: [string, number][]): Map<string, number> {
  const result = new Map<string, number>();
  const add = (file: string, ms: number) => result.set(file, (result.get(file) ?? 0) + ms);
  const suites = files.filter((file) => BROWSER_SUITE.test(readFileSync(file, 'utf8')));
  const declaredElsewhere = ended.filter(([file]) => !files.includes(file));
  const matched = declaredElsewhere.length === suites.length;
  for (const [i, [file, ms]] of declaredElsewhere.entries()) add(matched ? suites[i]! : file, ms);
  for (const [file, ms] of ended) if (files.includes(file)) add(file, ms);
  return result;
}

/**
 * Runs one batch, its output collected; resolves with its exit status and how long each of its
 * files took (milliseconds; none when the options name another reporter).
 */
function runBatch(batch: Batch, options: string[]): Promise<BatchResult> {
  const { files } = batch;
  const isolation = files.length === 1 && isolated(files[0]!) ? [] : ['--test-isolation=none'];
  const env = { ...process.env };
  // A PGlite batch of a run over both engines must not see the server's URL.
  if (batch.postgres) env.DATABASE_URL = batch.postgres;
  else delete env.DATABASE_URL;
  const measured = path.join(tmpdir(), `relais-test-durations-${process.pid}-${++reports}.json`);
  const reporters = options.some((o) => o.startsWith('--test-reporter'))
    ? []
    : [
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${DURATIONS_REPORTER}`,
        `--test-reporter-destination=${measured}`,
      ];
  const child = spawn(
    process.execPath,
    // A test that hangs fails after two minutes instead.
    ['--import', 'tsx', '--test', ...isolation, '--test-timeout=120000', ...reporters, ...options, ...files],
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
      let durations = new Map<string, number>();
      try {
        durations = byFile(files, JSON.parse(readFileSync(measured, 'utf8')) as [string, number][]);
      } catch {
        // No report: another reporter was asked for, or the process died before the end.
      }
      rmSync(measured, { force: true });
      resolve({ status: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString(), durations });
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
 * does: every file on PGlite, and the PostgreSQL list on that server, in one queue, the longest
 * batches first whatever their engine (a core that waits on the server runs a PGlite batch
 * meanwhile). Otherwise one pass: PostgreSQL when `DATABASE_URL` is set, PGlite when not.
 */
function plan(named: string[], bothEngines: boolean, workers: number): Batch[] {
  const postgres = process.env.DATABASE_URL;
  if (!bothEngines || !postgres) {
    const files = named.length > 0 ? named : postgres ? postgresFiles() : testFiles();
    return batches(files, workers, postgres ? 'postgres' : 'pglite').map((b) => ({ ...b, postgres }));
  }
  const listed = postgresFiles();
  const onServer = named.length > 0 ? named.filter((file) => listed.includes(file)) : listed;
  return [
    ...batches(named.length > 0 ? named : testFiles(), workers, 'pglite'),
    ...batches(onServer, workers, 'postgres').map((b) => ({ ...b, postgres })),
  ].sort((a, b) => b.seconds - a.seconds);
}

const label = (batch: Batch) => `${batch.postgres ? '[PostgreSQL] ' : ''}${batch.files.join(' ')}`;

/** Keeps the measured seconds of the files run in test/timings.json (others stay as they were). */
function recordTimings(measured: Record<Engine, Map<string, number>>): void {
  const timings = readTimings();
  const files = new Set(testFiles());
  for (const engine of ['pglite', 'postgres'] as const) {
    const entries = { ...timings[engine] };
    for (const [file, ms] of measured[engine]) entries[file] = Math.round(ms / 100) / 10;
    timings[engine] = Object.fromEntries(
      Object.entries(entries)
        .filter(([file]) => files.has(file))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  writeFileSync(TIMINGS, `${JSON.stringify(timings, null, 2)}\n`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const bothEngines = args.includes('--both-engines');
  const record = args.includes('--record-timings');
  if (bothEngines && !process.env.DATABASE_URL) {
    process.stderr.write('--both-engines: set DATABASE_URL to the PostgreSQL server to test on.\n');
    return 2;
  }
  const options = args.filter(
    (arg) => arg.startsWith('-') && arg !== '--both-engines' && arg !== '--record-timings',
  );
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
  /** Per engine: each file's measured milliseconds, and the batches' time (processes included). */
  const measured = { pglite: new Map<string, number>(), postgres: new Map<string, number>() };
  const batchSeconds = { pglite: 0, postgres: 0 };
  const start = performance.now();
  async function worker(): Promise<void> {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      const began = performance.now();
      process.stdout.write(`\n== started: ${label(batch)}\n`);
      let { status, output, durations } = await runBatch(batch, options);
      if (crashedInEngine(output)) {
        // Not a test that failed: the engine aborted. Run the batch once more, and say so.
        const again = await runBatch(batch, options);
        status = again.status;
        durations = again.durations;
        output = `${output}\n== the batch crashed in V8 (see above), not in a test: run again\n${again.output}`;
      }
      const seconds = (performance.now() - began) / 1000;
      batchSeconds[engineOf(batch)] += seconds;
      for (const [file, ms] of durations) measured[engineOf(batch)].set(file, ms);
      process.stdout.write(
        `\n== ${label(batch)} (${seconds.toFixed(1)} s, expected ${batch.seconds.toFixed(0)} s)\n${output}`,
      );
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
  // Where the time went: each pass's batches (processes included) and its slowest files.
  for (const engine of ['pglite', 'postgres'] as const) {
    const files = [...measured[engine]].sort((a, b) => b[1] - a[1]);
    if (files.length === 0) continue;
    const inFiles = files.reduce((sum, [, ms]) => sum + ms, 0) / 1000;
    process.stdout.write(
      `\n== ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} pass: ${batchSeconds[engine].toFixed(1)} s of batches, ${inFiles.toFixed(1)} s in the files' tests; slowest files:\n${files
        .slice(0, 15)
        .map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`)
        .join('\n')}\n`,
    );
  }
  if (record) {
    recordTimings(measured);
    process.stdout.write(
      `== timings of ${measured.pglite.size + measured.postgres.size} runs of files kept in ${TIMINGS}\n`,
    );
  }
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
