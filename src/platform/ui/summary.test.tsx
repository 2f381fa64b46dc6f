import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { SummaryList } from './summary.tsx';

test('a summary lists its terms and escaped values, leaving out what is missing', async () => {
  const html = await SummaryList({
    rows: [
      ['Type', 'Atelier'],
      ['Notes', '<script>alert(1)</script>'],
      ['Niveau', null],
      ['Lieu', undefined],
      ['Matériel', ''],
    ],
  });
  await assertValidHtml(html, 'the summary', { oneH1: false });
  assert.equal(
    html,
    '<dl class="summary-list"><dt>Type</dt><dd>Atelier</dd><dt>Notes</dt><dd>&lt;script>alert(1)&lt;/script></dd><dt>Matériel</dt><dd></dd></dl>',
  );
});

test('with hideEmpty, empty texts are left out too', async () => {
  const html = await SummaryList({
    rows: [
      ['Type', 'Atelier'],
      ['Notes', ''],
    ],
    hideEmpty: true,
  });
  assert.equal(html, '<dl class="summary-list"><dt>Type</dt><dd>Atelier</dd></dl>');
});
