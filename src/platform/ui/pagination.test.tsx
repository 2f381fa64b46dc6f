import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { Pagination } from './pagination.tsx';

const href = (page: number) => `/liste?q=a%20b&page=${page}`;

test('a list that fits on one page has no pagination', async () => {
  assert.equal(await Pagination({ page: 1, pages: 1, href }), '');
  assert.equal(await Pagination({ page: 1, pages: 0, href }), '');
});

test('the middle page links to both neighbours inside a named landmark', async () => {
  const html = await Pagination({ page: 2, pages: 3, href, label: 'Pages de résultats' });
  await assertValidHtml(html, 'the pagination', { oneH1: false });
  assert.match(html, /<nav class="pagination" aria-label="Pages de résultats">/);
  assert.match(html, /<a href="\/liste\?q=a%20b&page=1">Page précédente<\/a>/);
  assert.match(html, /<span>Page 2 sur 3<\/span>/);
  assert.match(html, /<a href="\/liste\?q=a%20b&page=3">Page suivante<\/a>/);
});

test('the first page has no previous link, the last no next one, unless more may follow', async () => {
  const first = await Pagination({ page: 1, pages: 3, href });
  assert.match(first, /aria-label="Pages"/);
  assert.doesNotMatch(first, /précédente/);
  const last = await Pagination({ page: 3, pages: 3, href });
  assert.doesNotMatch(last, /suivante/);
  const capped = await Pagination({ page: 1200, pages: 1200, href, more: true });
  assert.match(capped, /Page 1\u202f200 sur 1\u202f200 \(ou plus\)/);
  assert.match(capped, /page=1201">Page suivante/);
});
