import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type pg from 'pg';
import { modules } from '../../src/modules/index.ts';
import { sealJournal } from '../../src/platform/audit/journal.ts';
import { loadConfig } from '../../src/platform/config.ts';
import {
  type DatabaseHandle,
  type Db,
  openDatabase,
  PGLITE_EXTENSIONS,
  withServerConnection,
} from '../../src/platform/db/database.ts';
import { collectMigrations, migrateToLatest } from '../../src/platform/db/migrate.ts';
import { migrationHashes } from '../../src/platform/db/migration-lock.ts';
import { parisToday } from '../../src/platform/paris-time.ts';

/**
 * Test databases. Migrating a new database, and seeding the demo, cost seconds, so the suite
 * makes one template per set of migrations (and one with the demo data per state of the code
 * and day) and starts every test database from a copy of it: a PGlite data-dir dump on disk,
 * or a PostgreSQL `CREATE DATABASE … TEMPLATE`.
 * With `DATABASE_URL` set, tests run on that server, each in its own new database.
 */

export const serverUrl = process.env.DATABASE_URL;
export const dbKind = serverUrl ? 'postgres' : 'pglite';

/** Changes whenever a migration is added or edited (its SQL, as the migration lock hashes it). */
const migrationsHash = migrationHashes(collectMigrations(modules)).then((hashes) =>
  createHash('sha256').update(JSON.stringify(hashes)).digest('hex').slice(0, 12),
);

/**
 * What the demo data depends on: the code that writes it (any source file) and the day in
 * Paris (reports are dated from today). A template seeded for another key is never reused.
 */
async function demoHash(): Promise<string> {
  const hash = createHash('sha256')
    .update(await migrationsHash)
    .update(parisToday());
  const root = path.resolve(import.meta.dirname, '../../src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
  for (const file of files.sort()) hash.update(file).update(readFileSync(path.join(root, file)));
  return hash.digest('hex').slice(0, 12);
}

/** Seeds the demo as `createTestApp({ demo: true })` did on every test database. */
async function seedDemo(db: Db): Promise<void> {
  // Imported here: most test files never need the whole command line loaded.
  const { seedDemoOnce } = await import('../../src/main.ts');
  await seedDemoOnce({ db, config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }) });
}

/**
 * A PGlite template in the temporary directory, made once by whichever test process needs it
 * first while the others wait (a directory serves as the lock), and kept uncompressed: loading a
 * dump is most of what a new test database costs, and gzip adds to it.
 */
async function pgliteTemplateFile(name: string, make: () => Promise<Blob>): Promise<string> {
  const file = path.join(tmpdir(), `${name}.tar`);
  const lock = `${file}.lock`;
  for (let waited = 0; !existsSync(file); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      // Another process is making it; a lock older than two minutes was left by a crash.
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await (await make()).arrayBuffer()));
      renameSync(partial, file);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return file;
}

const pgliteTemplates = new Map<string, Promise<Blob>>();

/** The migrated template (`demo`: with the demo data), read once per process. */
function pgliteTemplate(demo: boolean): Promise<Blob> {
  const key = demo ? 'demo' : 'empty';
  let template = pgliteTemplates.get(key);
  if (!template) {
    template = (async () => {
      const file = demo
        ? await pgliteTemplateFile(`relais-test-demo-${await demoHash()}`, async () => {
            const pglite = await PGlite.create({
              loadDataDir: await pgliteTemplate(false),
              extensions: PGLITE_EXTENSIONS,
            });
            const handle = await openDatabase({ pglite });
            await seedDemo(handle.db);
            pruneDemoTemplates();
            return dumpAndClose(pglite, handle);
          })
        : await pgliteTemplateFile(`relais-test-template-${await migrationsHash}`, async () => {
            const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
            const handle = await openDatabase({ pglite });
            await migrateToLatest(handle.db, modules);
            return dumpAndClose(pglite, handle);
          });
      return new Blob([readFileSync(file)]);
    })();
    pgliteTemplates.set(key, template);
  }
  return template;
}

/** Demo templates of another day are never used again (their key holds the day): delete them. */
function pruneDemoTemplates(): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    const file = path.join(tmpdir(), name);
    if (
      /^relais-test-demo-\w+\.tar$/.test(name) &&
      (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) < dayAgo
    )
      rmSync(file, { force: true });
  }
}

async function dumpAndClose(pglite: PGlite, handle: DatabaseHandle): Promise<Blob> {
  await handle.close();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  return dump;
}

function urlFor(database: string): string {
  const url = new URL(serverUrl!);
  url.pathname = `/${database}`;
  return url.toString();
}

const withAdmin = <T>(work: (client: pg.Client) => Promise<T>) => withServerConnection(serverUrl!, work);

/**
 * Creates a new PostgreSQL database from the migrated template (`demo`: the one with the demo
 * data), each made once under a lock.
 */
async function postgresDatabase(demo = false): Promise<string> {
  const template = `relais_mig_${await migrationsHash}`;
  const demoTemplate = `relais_demo_${await demoHash()}`;
  const name = `relais_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    await admin.query('select pg_advisory_lock(727274)');
    try {
      if (!(await databaseExists(admin, template))) {
        await dropStale(admin, 'relais\\_mig\\_%');
        await admin.query(`create database ${template}`);
        const handle = await openDatabase({ databaseUrl: urlFor(template), poolSize: 1 });
        await migrateToLatest(handle.db, modules);
        await handle.close();
      }
      if (demo && !(await databaseExists(admin, demoTemplate))) {
        await dropStale(admin, 'relais\\_demo\\_%');
        await admin.query(`create database ${demoTemplate} template ${template}`);
        const handle = await openDatabase({ databaseUrl: urlFor(demoTemplate), poolSize: 1 });
        await seedDemo(handle.db);
        await handle.close();
      }
      await admin.query(`create database ${name} template ${demo ? demoTemplate : template}`);
    } finally {
      await admin.query('select pg_advisory_unlock(727274)');
    }
  });
  return name;
}

async function databaseExists(admin: pg.Client, name: string): Promise<boolean> {
  return ((await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0;
}

/** Templates of older migrations or code are of no more use. */
async function dropStale(admin: pg.Client, pattern: string): Promise<void> {
  const stale = await admin.query<{ datname: string }>(
    'select datname from pg_database where datname like $1',
    [pattern],
  );
  for (const { datname } of stale.rows) await admin.query(`drop database if exists ${datname} with (force)`);
}

export type TestDatabase = DatabaseHandle & {
  /** For child processes (CLI tests): the environment that points them to this database. */
  env: Record<string, string>;
};

/** A new, migrated database of the kind the suite runs on: empty, or with the demo data. */
export async function createTestDatabase(options: { demo?: boolean } = {}): Promise<TestDatabase> {
  const demo = options.demo ?? false;
  if (serverUrl) {
    const name = await postgresDatabase(demo);
    const handle = await openDatabase({ databaseUrl: urlFor(name), poolSize: 4 });
    return {
      ...handle,
      env: { DATABASE_URL: urlFor(name) },
      async close() {
        await handle.close();
        await withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`));
      },
    };
  }
  const pglite = await PGlite.create({
    loadDataDir: await pgliteTemplate(demo),
    extensions: PGLITE_EXTENSIONS,
  });
  const handle = await openDatabase({ pglite });
  return {
    ...handle,
    env: {},
    async close() {
      await handle.close();
      await pglite.close();
    },
  };
}

/**
 * A database a child process can open by itself: a PGlite data directory unpacked from the
 * template, or a new database on the server. Returns the environment to give the process.
 */
export async function createTestDataDir(): Promise<{
  env: Record<string, string>;
  cleanup(): Promise<void>;
}> {
  if (serverUrl) {
    const name = await postgresDatabase();
    return {
      env: { DATABASE_URL: urlFor(name) },
      cleanup: () =>
        withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`)).then(() => {}),
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'relais-cli-'));
  const pglite = await PGlite.create(path.join(dir, 'pgdata'), {
    loadDataDir: await pgliteTemplate(false),
    extensions: PGLITE_EXTENSIONS,
  });
  await pglite.close();
  return {
    env: { DATA_DIR: dir },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Opens the database of `createTestDataDir` between two commands (PGlite allows one process at
 * a time), runs `work` on it and closes it.
 */
export async function withTestDataDir<T>(
  env: Record<string, string>,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  const handle = await openDatabase(
    env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR! },
  );
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

/** Every table's rows as text, sorted: what "the same data" means, read without the backup code. */
export async function tableSnapshot(db: Db): Promise<Record<string, string[]>> {
  // As a backup does: the journal's entries are chained before they are read.
  await sealJournal(db);
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO', true)`.execute(trx);
    const { rows: tables } = await sql<{ name: string }>`
      select c.relname as name from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
        and c.relpersistence <> 'u' -- transient state (rate-limit counters), left out of backups too
      order by c.relname`.execute(trx);
    const result: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await sql<{ r: string }>`select t::text as r from ${sql.id(name)} as t`.execute(trx);
      result[name] = rows.map((row) => row.r).sort();
    }
    return result;
  });
}
