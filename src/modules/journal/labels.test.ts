import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUDIT_ACTION_CODE, collectAuditActions } from '../../platform/audit/actions.ts';
import { type AuditEvent, SIGNATURE_START } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import { modules } from '../index.ts';
import { actionLabels, LEGACY_ACTION_LABELS } from './labels.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Every `.ts`/`.tsx` source file under `dir`, tests and the declarations themselves left out. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (e) =>
        e.isFile() &&
        /\.tsx?$/.test(e.name) &&
        !/\.test\.tsx?$/.test(e.name) &&
        e.name !== 'audit-actions.ts' &&
        !(e.name === 'actions.ts' && e.parentPath.endsWith('audit')),
    )
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The audit action codes written in the sources: the dotted string literals (`auth.signout`)
 * of each `action:` property, including both branches of a conditional.
 */
async function actionCodesInSources(): Promise<{ codes: Map<string, string>; text: string }> {
  const codes = new Map<string, string>();
  let all = '';
  for (const file of await sourceFiles(SRC)) {
    const text = await readFile(file, 'utf8');
    all += text;
    for (const [, expression = ''] of text.matchAll(/\baction:\s*([^,\n}]+)/g))
      for (const [, code = ''] of expression.matchAll(/['"`]([a-z_]+(?:\.[a-z_]+)+)['"`]/g))
        codes.set(code, file.slice(ROOT.length + 1));
  }
  return { codes, text: all };
}

const declared = collectAuditActions(modules);

test('every audit action written in the sources is declared by a module, with its French label', async () => {
  const { codes } = await actionCodesInSources();
  // The scan must see the actions: a broken pattern would pass with nothing found.
  assert.ok(codes.size > 50, `only ${codes.size} action codes found`);
  for (const known of ['auth.signin.success', 'lieux.unpublish', 'auth.proconnect.link'])
    assert.ok(codes.has(known), `${known} not found by the scan`);
  codes.set(SIGNATURE_START, 'src/platform/audit/journal.ts');
  const missing = [...codes].filter(([code]) => !declared[code]).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'actions no module declares (add them to its audit-actions.ts)');
});

test('every declared action is written somewhere, or else belongs to the legacy labels', async () => {
  const { text } = await actionCodesInSources();
  const unused = Object.keys(declared).filter((code) => {
    if (text.includes(`'${code}'`)) return false;
    // A code built from a constant prefix: `${ALERT_PREFIX}auto_approbation`.
    const last = code.split('.').at(-1);
    return !text.includes(`}${last}\``);
  });
  assert.deepEqual(unused, [], 'declared actions that nothing writes (move them to journal/labels.ts)');
});

test('codes follow one grammar, and legacy codes are no module’s', () => {
  for (const code of [...Object.keys(declared), ...Object.keys(LEGACY_ACTION_LABELS)])
    assert.match(code, AUDIT_ACTION_CODE);
  for (const code of Object.keys(LEGACY_ACTION_LABELS))
    assert.equal(declared[code], undefined, `${code} is declared by a module: not legacy`);
  assert.throws(
    () =>
      collectAuditActions([
        { name: 'a', auditActions: { 'place.create': 'Lieu créé' } },
        { name: 'b', auditActions: { 'place.create': 'Lieu créé' } },
      ]),
    /declared by a and b/,
  );
  assert.throws(() => collectAuditActions([{ name: 'a', auditActions: { 'Lieu créé': 'x' } }]), /snake_case/);
});

test('the journal labels declared, legacy and unknown codes', () => {
  const labelOf = actionLabels(declared);
  assert.equal(labelOf('auth.proconnect.link'), 'Compte lié à une identité ProConnect');
  assert.equal(labelOf('auth.proconnect.failure'), 'Échec de connexion par ProConnect');
  assert.equal(labelOf('activites.places'), 'Lieux d’activité choisis');
  assert.equal(labelOf('inconnu.action'), undefined);
  assert.equal(labelOf('toString'), undefined);
});

test('an action no module declares does not compile', () => {
  const event = (e: AuditEvent) => e.action;
  // @ts-expect-error: `npm run check` fails if this code is ever accepted.
  assert.equal(event({ actor: systemActor('test'), action: 'lieu.inconnu' }), 'lieu.inconnu');
});
