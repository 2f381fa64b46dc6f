import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { postgresFiles, testFiles } from './run.ts';

/** What makes a test database: such a file runs its SQL on the engine under test. */
const USES_DATABASE =
  /\b(createTestDatabase|createTestApp|createTestDataDir|openCliDatabase|browserHarness)\b/;
/** Browser suites check pages, and skip when DATABASE_URL is set (see helpers/browser.ts). */
const BROWSER_SUITE = /from '[./]*\/helpers\/browser\.ts'/;

test('every test file that uses a test database is in test/postgres-files.txt', () => {
  const listed = new Set(postgresFiles());
  const missing = testFiles().filter((file) => {
    if (file === 'test/postgres-files.test.ts') return false; // names them, uses none
    const source = readFileSync(file, 'utf8');
    return USES_DATABASE.test(source) && !BROWSER_SUITE.test(source) && !listed.has(file);
  });
  assert.deepEqual(
    missing,
    [],
    'these files use a test database but the PostgreSQL pass would not run them: add them to test/postgres-files.txt',
  );
});

test('test/postgres-files.txt names existing test files only', () => {
  const stale = postgresFiles().filter((file) => !existsSync(file) || !testFiles().includes(file));
  assert.deepEqual(stale, [], 'remove or rename these entries of test/postgres-files.txt');
});
