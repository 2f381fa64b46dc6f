import { createHash } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  type Migration,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type { Database } from './schema.ts';

/**
 * A landed migration is never edited: databases that applied its old text would silently miss
 * the change. `migrations.lock.json` records, for each migration, the SHA-256 of the SQL it runs,
 * and a test compares it with the code. Hashing the statements rather than the file keeps a
 * migration's hash when it moves between files or modules, and catches an edit made in a helper
 * it calls as well as in its own body.
 */
export type MigrationLock = Record<string, string>;

/** The SQL statements (and their parameters) each migration's `up` and `down` run, recorded without a database. */
export async function migrationStatements(
  migrations: Record<string, Migration>,
): Promise<Record<string, string[]>> {
  let current: string[] = [];
  // A database that answers every query with no rows: it only records what it is asked.
  const recorder = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      current.push(JSON.stringify([event.query.sql, event.query.parameters]));
    },
  });
  const statements: Record<string, string[]> = {};
  for (const name of Object.keys(migrations).sort()) {
    current = [];
    await migrations[name]!.up(recorder);
    if (migrations[name]!.down) {
      current.push('-- down');
      await migrations[name]!.down(recorder);
    }
    statements[name] = current;
  }
  await recorder.destroy();
  return statements;
}

/** Each migration's name and the SHA-256 of what it runs. */
export async function migrationHashes(migrations: Record<string, Migration>): Promise<MigrationLock> {
  const statements = await migrationStatements(migrations);
  return Object.fromEntries(
    Object.entries(statements).map(([name, lines]) => [
      name,
      createHash('sha256').update(lines.join('\n')).digest('hex'),
    ]),
  );
}
