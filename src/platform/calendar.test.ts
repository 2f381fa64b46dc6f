import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCalendar } from '../../test/helpers/calendar.ts';
import { calendarFile } from './calendar.ts';

const summer = { start: new Date('2027-07-01T12:00:00Z'), end: new Date('2027-07-01T13:30:00Z') };
const winter = { start: new Date('2027-01-20T13:00:00Z'), end: new Date('2027-01-20T14:30:00Z') };

test('a calendar file reads back, in calendar applications’ reader, as the events it was given', () => {
  const summary = `Atelier ; « été », ${'é'.repeat(80)}`;
  const text = calendarFile(
    [
      {
        uid: 'ete@relais.example',
        ...summer,
        summary,
        location: 'Médiathèque, 1 place Lazare-Goujon; Villeurbanne',
        description: 'Première ligne\nseconde ligne \\ fin',
        url: 'https://relais.example/a,b;c',
        sequence: 2,
        cancelled: false,
      },
      { uid: 'hiver@relais.example', ...winter, summary: 'Atelier d’hiver', cancelled: true },
      { uid: 'sans-statut@relais.example', ...winter, summary: 'Sans statut' },
    ],
    { name: 'Agenda, du réseau', product: 'Essai', now: new Date('2026-12-06T10:00:00Z') },
  );
  const { method, name, events } = readCalendar(text);
  assert.equal(method, 'PUBLISH');
  assert.equal(name, 'Agenda, du réseau');
  const [ete, hiver, plain] = events;
  assert.equal(ete!.summary, summary);
  assert.equal(ete!.location, 'Médiathèque, 1 place Lazare-Goujon; Villeurbanne');
  assert.equal(ete!.description, 'Première ligne\nseconde ligne \\ fin');
  assert.equal(ete!.url, 'https://relais.example/a%2Cb%3Bc', 'a URI, its commas and semicolons encoded');
  assert.equal(ete!.sequence, 2);
  assert.equal(ete!.status, 'CONFIRMED');
  assert.equal(hiver!.status, 'CANCELLED');
  assert.equal(plain!.status, null);
  // The wall clock of Paris, summer (UTC+2) and winter (UTC+1), and the same instants.
  assert.equal(ete!.zone, 'Europe/Paris');
  assert.equal(ete!.wallStart, '2027-07-01T14:00:00');
  assert.equal(hiver!.wallEnd, '2027-01-20T15:30:00');
  assert.deepEqual([ete!.start, ete!.end], [summer.start, summer.end]);
  assert.deepEqual([hiver!.start, hiver!.end], [winter.start, winter.end]);
  assert.match(text, /\r\nDTSTAMP:20261206T100000Z\r\n/, 'the stamp is in UTC');
});

test('the message that cancels an event says so', () => {
  const text = calendarFile([{ uid: 'x@relais.example', ...winter, summary: 'Comité', cancelled: true }], {
    name: 'Comité',
    product: 'Essai',
    method: 'CANCEL',
  });
  const { method, events } = readCalendar(text);
  assert.equal(method, 'CANCEL');
  assert.equal(events[0]!.status, 'CANCELLED');
});
