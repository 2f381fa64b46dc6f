import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { BackupError } from './errors.ts';
import type { ColumnInfo, SequenceState, TableInfo, TableSummary } from './format.ts';

/**
 * What backup and restore read from pg_catalog, and the checksums they compare. Every
 * query here runs the same on PGlite and on PostgreSQL 15 or later.
 */

/**
 * Fixes every setting that changes how values print as text, for this transaction only:
 * the text form is what the backup carries and what the checksums hash, so it must not
 * depend on the server's or the session's configuration.
 */
export async function useCanonicalText(trx: Db): Promise<void> {
  await sql`select set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
    set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true),
    set_config('bytea_output', 'hex', true), set_config('search_path', 'public', true)`.execute(trx);
}

/**
 * Ordinary and partitioned tables of `public`, except those an extension owns and unlogged ones
 * (transient state, such as the rate-limit counters, that a restored instance starts without).
 */
export async function readTables(db: Db): Promise<TableInfo[]> {
  const { rows } = await sql<{ table: string; name: string; type: string; generated: boolean }>`
    select c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
           a.attgenerated <> '' as generated
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and c.relpersistence <> 'u'
      and not exists (select 1 from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by c.relname, a.attnum`.execute(db);
  const tables = new Map<string, ColumnInfo[]>();
  for (const { table, ...column } of rows) {
    const columns = tables.get(table) ?? [];
    columns.push(column);
    tables.set(table, columns);
  }
  return [...tables].map(([name, columns]) => ({ name, columns }));
}

/** Foreign keys between tables of `public`, as [referencing table, referenced table]. */
export async function readForeignKeys(db: Db): Promise<[string, string][]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    select distinct c.relname as child, p.relname as parent
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and n.nspname = 'public'`.execute(db);
  return rows.map((r) => [r.child, r.parent]);
}

/**
 * Sorts tables so that every table comes after the tables it references (Kahn's
 * algorithm, ties by name so that the order is stable). Self-references are left out: no
 * table has one today, and rows pointing to rows of a later insert batch would fail. A
 * cycle between tables cannot be loaded with plain inserts and is refused.
 */
export function dependencyOrder(tables: string[], foreignKeys: [string, string][]): string[] {
  const known = new Set(tables);
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const [child, parent] of foreignKeys) {
    if (child !== parent && known.has(child) && known.has(parent)) parents.get(child)!.add(parent);
  }
  const order: string[] = [];
  const remaining = new Set([...tables].sort());
  while (remaining.size > 0) {
    const ready = [...remaining].find((t) => [...parents.get(t)!].every((p) => !remaining.has(p)));
    if (ready === undefined) {
      throw new BackupError(
        `Ces tables se référencent en cycle et ne peuvent pas être chargées dans l’ordre : ${[...remaining].join(', ')}.`,
      );
    }
    order.push(ready);
    remaining.delete(ready);
  }
  return order;
}

/** Sequences of `public`, their state, and the column that owns them (serial or identity). */
export async function readSequences(db: Db): Promise<SequenceState[]> {
  const { rows } = await sql<{ name: string; table: string | null; column: string | null }>`
    select s.relname as name, t.relname as table, a.attname as column
    from pg_class s
    join pg_namespace n on n.oid = s.relnamespace
    left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
      and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
    left join pg_class t on t.oid = d.refobjid
    left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
    where s.relkind = 'S' and n.nspname = 'public'
    order by s.relname`.execute(db);
  const sequences: SequenceState[] = [];
  for (const row of rows) {
    const { rows: state } = await sql<{ lastValue: string; isCalled: boolean }>`
      select last_value::text as "lastValue", is_called as "isCalled" from ${sql.id(row.name)}`.execute(db);
    sequences.push({ ...row, ...state[0]! });
  }
  return sequences;
}

/**
 * Row count and SHA-256 of a table's content: each row's text form (`ROW(…)::text`, with
 * the canonical settings above) is hashed, the row hashes are sorted as bytes and hashed
 * together. Sorting bytes, not text, keeps the result independent of collations and of
 * the physical order of rows, so PGlite and PostgreSQL agree on the same content.
 */
export async function tableChecksum(db: Db, table: TableInfo): Promise<{ rows: number; checksum: string }> {
  const row = sql.join(table.columns.map((c) => sql.id(c.name)));
  const { rows } = await sql<{ rows: number; checksum: string }>`
    select count(*)::int as rows,
           encode(sha256(coalesce(string_agg(h, ''::bytea order by h), ''::bytea)), 'hex') as checksum
    from (select sha256(convert_to(row(${row})::text, 'UTF8')) as h from ${sql.id(table.name)}) as hashed`.execute(
    db,
  );
  return rows[0]!;
}

export async function summarise(db: Db, tables: TableInfo[]): Promise<TableSummary[]> {
  const summaries: TableSummary[] = [];
  for (const table of tables) summaries.push({ ...table, ...(await tableChecksum(db, table)) });
  return summaries;
}

/** Names of the migrations applied to this database, sorted (none before the first migrate). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows: found } = await sql<{ exists: boolean }>`
    select to_regclass('public.relais_migration') is not null as exists`.execute(db);
  if (!found[0]?.exists) return [];
  const { rows } = await sql<{ name: string }>`select name from relais_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

export async function serverVersion(db: Db): Promise<{ kind: 'pglite' | 'postgres'; serverVersion: string }> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
  const version = rows[0]!.version;
  return { kind: version.includes('PGlite') ? 'pglite' : 'postgres', serverVersion: version };
}
