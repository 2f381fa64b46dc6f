import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidHtml } from '../../../test/helpers/html.ts';
import { Table } from './table.tsx';

test('a table has its caption, column headings with their scope, and its rows', async () => {
  const html = await Table({
    caption: 'Comptes rendus & ateliers',
    captionHidden: true,
    className: 'activity-table',
    columns: ['Date', { label: 'Durée', numeric: true }],
    children: ['<tr><td>05/12/2026</td><td class="num">2 h</td></tr>'],
  });
  await assertValidHtml(html, 'the table', { oneH1: false });
  assert.match(html, /^<div class="table-wrap"><table class="activity-table">/);
  assert.match(html, /<caption class="visually-hidden">Comptes rendus &amp; ateliers<\/caption>/);
  assert.match(html, /<th scope="col">Date<\/th><th scope="col" class="num">Durée<\/th>/);
  assert.match(html, /<tbody><tr><td>05\/12\/2026<\/td>/);
});

test('a visible caption has no class', async () => {
  const html = await Table({ caption: 'Les deux fiches', columns: ['Information'], children: [] });
  assert.match(html, /<caption>Les deux fiches<\/caption>/);
  assert.match(html, /<table>/);
});
