import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';

/**
 * No module's SQL names another module's table. A table belongs to whoever declares its row
 * type (`interface Database` in a `declare module '…/db/schema.ts'` block): a module, or the
 * platform. The check reads every production source file of `src/modules` and looks for the
 * tables its queries name: Kysely's `selectFrom`, `insertInto`, `updateTable`, `deleteFrom`,
 * joins, and SQL text (`from`, `join`, `into`, `update`, `alter table`, `truncate`). Foreign
 * keys (`references`) and indexes (`create index … on`) are not queries: a landed migration of
 * mandats still creates an index on `activite` (module activites now re-creates it in its own,
 * see activites/tables.ts). A file may also name the tables it creates itself (the landed
 * migration that created the helper workspace's tables before it was split into modules).
 * Platform tables are shared.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** `modules/<name>/…` → name; anything else under src → 'platform'. */
function ownerOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts[0] === 'modules' && parts.length > 2 ? (parts[1] as string) : 'platform';
}

/** The tables a file declares in the Database interface. */
export function declaredTables(source: string): string[] {
  const block = /declare module '[^']*db\/schema\.ts'\s*\{\s*interface Database\s*\{/.exec(source);
  if (!block) return [];
  const tables: string[] = [];
  let depth = 1;
  let i = block.index + block[0].length;
  let line = '';
  for (; i < source.length && depth > 0; i++) {
    const c = source[i] as string;
    if (c === '{') {
      if (depth === 1) {
        const name = /(\w+)\s*:\s*$/.exec(line);
        if (name) tables.push(name[1] as string);
      }
      depth++;
    } else if (c === '}') depth--;
    else if (depth === 1 && c === '\n') line = '';
    else if (depth === 1) line += c;
    if (depth === 1 && c === ';') {
      const name = /^\s*(\w+)\s*:/.exec(line);
      if (name && !tables.includes(name[1] as string)) tables.push(name[1] as string);
      line = '';
    }
  }
  return tables;
}

const KYSELY =
  /\.(?:selectFrom|insertInto|updateTable|deleteFrom|(?:inner|left|right|full)Join|with)\(\s*'(\w+)/g;
const SQL_TEXT = /\b(?:from|join|into|update|alter table|truncate)\s+(?:only\s+)?([a-z_][a-z0-9_]*)/gi;
const CREATED = /\bcreate (?:unlogged )?table (?:if not exists )?([a-z_][a-z0-9_]*)/gi;

/** The tables a file's queries and migrations name (any word that is a known table). */
export function namedTables(source: string, tables: Set<string>): Set<string> {
  const named = new Set<string>();
  for (const re of [KYSELY, SQL_TEXT]) {
    for (const m of source.matchAll(re)) {
      const name = (m[1] as string).toLowerCase();
      if (tables.has(name)) named.add(name);
    }
  }
  return named;
}

export const createdTables = (source: string) =>
  new Set([...source.matchAll(CREATED)].map((m) => (m[1] as string).toLowerCase()));

/** Every use of a table by a module that does not own it, as `file: table (owner)`. */
export function violations(files: { path: string; owner: string; source: string }[]): string[] {
  const owners = new Map<string, string>();
  for (const f of files) for (const t of declaredTables(f.source)) owners.set(t, f.owner);
  const tables = new Set(owners.keys());
  const found: string[] = [];
  for (const f of files) {
    if (f.owner === 'platform') continue;
    const created = createdTables(f.source);
    for (const table of namedTables(f.source, tables)) {
      const owner = owners.get(table) as string;
      if (owner === f.owner || owner === 'platform' || created.has(table)) continue;
      found.push(`${f.path}: ${table} (owned by ${owner})`);
    }
  }
  return found;
}

describe('SQL ownership', () => {
  const files = sourceFiles(SRC).map((path) => ({
    path: relative(ROOT, path),
    owner: ownerOf(path),
    source: readFileSync(path, 'utf8'),
  }));

  test('every table is declared by exactly one module or the platform', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const f of files)
      for (const t of declaredTables(f.source)) {
        if (seen.has(t) && seen.get(t) !== f.owner) twice.push(`${t}: ${seen.get(t)} and ${f.owner}`);
        seen.set(t, f.owner);
      }
    assert.deepEqual(twice, []);
    assert.ok(seen.size > 30, `only ${seen.size} tables found: the parser misses declarations`);
  });

  test('no module names a table another module owns', () => {
    assert.deepEqual(
      violations(files),
      [],
      'Use a function the owning module exports from its index.ts instead of its table.',
    );
  });

  test('the check finds a query on another module’s table', () => {
    const probe = [
      ...files,
      {
        path: 'src/modules/probe/x.ts',
        owner: 'probe',
        source: "db.selectFrom('lieu').select('id'); sql`select 1 from activite a join participation p`",
      },
    ];
    assert.deepEqual(
      violations(probe).filter((v) => v.startsWith('src/modules/probe')),
      [
        'src/modules/probe/x.ts: lieu (owned by lieux)',
        'src/modules/probe/x.ts: activite (owned by activites)',
        'src/modules/probe/x.ts: participation (owned by activites)',
      ],
    );
  });
});
