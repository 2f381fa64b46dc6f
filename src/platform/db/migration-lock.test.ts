import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { modules } from '../../modules/index.ts';
import { collectMigrations } from './migrate.ts';
import { type MigrationLock, migrationHashes } from './migration-lock.ts';

const LOCK_FILE = new URL('./migrations.lock.json', import.meta.url);
const UPDATE =
  'MIGRATION_LOCK=add node_modules/.bin/node --import tsx --test src/platform/db/migration-lock.test.ts';

const readLock = (): MigrationLock => JSON.parse(readFileSync(LOCK_FILE, 'utf8'));

test('every landed migration still runs the SQL recorded in migrations.lock.json', async () => {
  const lock = readLock();
  const current = await migrationHashes(collectMigrations(modules));
  const missing = Object.keys(lock).filter((name) => !(name in current));
  assert.deepEqual(
    missing,
    [],
    'these migrations were removed or renamed; a landed migration stays as it is, forever',
  );
  const changed = Object.keys(lock).filter((name) => current[name] !== lock[name]);
  assert.deepEqual(
    changed,
    [],
    'these landed migrations now run other SQL than when they landed (in their own code or a helper ' +
      'they call): databases that applied them will never see the change. Restore what they run and ' +
      'put the change in a new migration',
  );
});

test('every migration is in migrations.lock.json', async () => {
  const lock = readLock();
  const current = await migrationHashes(collectMigrations(modules));
  const added = Object.keys(current).filter((name) => !(name in lock));
  if (added.length > 0 && process.env.MIGRATION_LOCK === 'add') {
    const next = { ...lock, ...Object.fromEntries(added.map((name) => [name, current[name]])) };
    const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(LOCK_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
    return;
  }
  assert.deepEqual(
    added,
    [],
    `new migrations are missing from the lock: add them with \`${UPDATE}\` and commit it`,
  );
});
