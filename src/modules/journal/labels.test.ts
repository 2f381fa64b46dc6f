import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SIGNATURE_START } from '../../platform/audit/journal.ts';
import { ACTION_LABELS } from './views.tsx';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Every `.ts`/`.tsx` source file under `dir`, tests left out. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The audit action codes written in the sources: the dotted string literals (`auth.signout`)
 * of each `action:` property, including both branches of a conditional.
 */
async function actionCodesInSources(): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  for (const file of await sourceFiles(SRC)) {
    const text = await readFile(file, 'utf8');
    for (const [, expression = ''] of text.matchAll(/\baction:\s*([^,\n}]+)/g))
      for (const [, code = ''] of expression.matchAll(/['"`]([a-z_]+(?:\.[a-z_]+)+)['"`]/g))
        codes.set(code, file.slice(ROOT.length + 1));
  }
  return codes;
}

test('every audit action written in the sources has a French label in the journal', async () => {
  const codes = await actionCodesInSources();
  // The scan must see the actions: a broken pattern would pass with nothing found.
  assert.ok(codes.size > 50, `only ${codes.size} action codes found`);
  for (const known of ['auth.signin.success', 'lieux.unpublish', 'auth.proconnect.link'])
    assert.ok(codes.has(known), `${known} not found by the scan`);
  codes.set(SIGNATURE_START, 'src/platform/audit/journal.ts');
  const missing = [...codes]
    .filter(([code]) => !ACTION_LABELS[code])
    .map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'actions without a label in src/modules/journal/views.tsx');
});
