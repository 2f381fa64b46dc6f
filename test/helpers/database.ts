import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type pg from 'pg';
import { modules } from '../../src/modules/index.ts';
import { sealJournal } from '../../src/platform/audit/journal.ts';
import {
  type DatabaseHandle,
  type Db,
  openDatabase,
  PGLITE_EXTENSIONS,
  withServerConnection,
} from '../../src/platform/db/database.ts';
import { collectMigrations, migrateToLatest } from '../../src/platform/db/migrate.ts';

/**
 * Test databases. Migrating a new database costs seconds, so the suite migrates one
 * template per set of migrations and starts every test database from a copy of it:
 * a PGlite data-dir dump on disk, or a PostgreSQL `CREATE DATABASE … TEMPLATE`.
 * With `DATABASE_URL` set, tests run on that server, each in its own new database.
 */

export const serverUrl = process.env.DATABASE_URL;
export const dbKind = serverUrl ? 'postgres' : 'pglite';

/** Changes whenever a migration is added or edited. */
const migrationsHash = createHash('sha256')
  .update(
    Object.entries(collectMigrations(modules))
      .map(([name, m]) => `${name}:${m.up.toString()}`)
      .join('\n'),
  )
  .digest('hex')
  .slice(0, 12);

async function pgliteTemplate(): Promise<Blob> {
  const file = path.join(tmpdir(), `relais-test-template-${migrationsHash}.tar.gz`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const handle = await openDatabase({ pglite });
    await migrateToLatest(handle.db, modules);
    const dump = await pglite.dumpDataDir('gzip');
    await handle.close();
    await pglite.close();
    // Several test processes may race here: write aside, then rename atomically.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

function urlFor(database: string): string {
  const url = new URL(serverUrl!);
  url.pathname = `/${database}`;
  return url.toString();
}

const withAdmin = <T>(work: (client: pg.Client) => Promise<T>) => withServerConnection(serverUrl!, work);

/** Creates a new PostgreSQL database from the migrated template (made once, under a lock). */
async function postgresDatabase(): Promise<string> {
  const template = `relais_tpl_${migrationsHash}`;
  const name = `relais_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    await admin.query('select pg_advisory_lock(727274)');
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [template]);
      if (found.rowCount === 0) {
        // Templates of older migrations are of no more use.
        const stale = await admin.query<{ datname: string }>(
          "select datname from pg_database where datname like 'relais\\_tpl\\_%'",
        );
        for (const { datname } of stale.rows)
          await admin.query(`drop database if exists ${datname} with (force)`);
        await admin.query(`create database ${template}`);
        const handle = await openDatabase({ databaseUrl: urlFor(template), poolSize: 1 });
        await migrateToLatest(handle.db, modules);
        await handle.close();
      }
      await admin.query(`create database ${name} template ${template}`);
    } finally {
      await admin.query('select pg_advisory_unlock(727274)');
    }
  });
  return name;
}

export type TestDatabase = DatabaseHandle & {
  /** For child processes (CLI tests): the environment that points them to this database. */
  env: Record<string, string>;
};

/** A new, migrated, empty database of the kind the suite runs on. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (serverUrl) {
    const name = await postgresDatabase();
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
  const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate(), extensions: PGLITE_EXTENSIONS });
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
    loadDataDir: await pgliteTemplate(),
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
      select tablename as name from pg_tables where schemaname = 'public' order by tablename`.execute(trx);
    const result: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await sql<{ r: string }>`select t::text as r from ${sql.id(name)} as t`.execute(trx);
      result[name] = rows.map((row) => row.r).sort();
    }
    return result;
  });
}
