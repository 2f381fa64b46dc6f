import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { loadConfig } from './config.ts';
import { sendMail } from './mail.ts';

describe('mail', () => {
  let t: TestDatabase;
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => {
        data += chunk.toString();
      });
      stream.on('end', () => {
        received.push(data);
        callback();
      });
    },
  });
  let port = 0;

  before(async () => {
    t = await createTestDatabase();
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    port = (server.server.address() as { port: number }).port;
  });
  after(async () => {
    server.close();
    await t.close();
  });

  test('without SMTP, mail waits in the outbox with its body, for administrators to read', async () => {
    await sendMail(t.db, loadConfig({}), { to: 'a@example.org', subject: 'Sujet', text: 'Corps du message' });
    const row = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', 'a@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'outbox');
    assert.equal(row.body, 'Corps du message');
  });

  test('with SMTP, mail is sent and only its envelope is kept', async () => {
    const config = loadConfig({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_FROM: 'Relais <relais@example.org>',
    });
    await sendMail(t.db, config, { to: 'b@example.org', subject: 'Invitation', text: 'Lien secret' });
    assert.equal(received.length, 1);
    assert.match(received[0]!, /Subject: Invitation/);
    assert.match(received[0]!, /Lien secret/);
    const row = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', 'b@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
    assert.equal(row.body, null);
  });

  const CALENDAR = 'BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n';
  const parts = {
    headers: {
      'List-Unsubscribe': '<https://relais.example/desabonnement/x>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    attachments: [
      {
        filename: 'invitation.ics',
        contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
        content: CALENDAR,
      },
    ],
  };

  test('headers and an attached file go out over SMTP as headers and a MIME part', async () => {
    const config = loadConfig({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'relais@example.org' });
    received.length = 0;
    await sendMail(t.db, config, { to: 'd@example.org', subject: 'Invitation', text: 'Corps', ...parts });
    assert.equal(received.length, 1);
    const raw = received[0]!;
    assert.match(raw, /^List-Unsubscribe: <https:\/\/relais\.example\/desabonnement\/x>/m);
    assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    assert.match(raw, /^Content-Type: multipart\/mixed/m);
    assert.match(raw, /^Content-Type: text\/calendar; method=PUBLISH; charset=utf-8/m);
    assert.match(raw, /filename=invitation\.ics/);
  });

  test('without SMTP, the outbox keeps the headers and the attached file beside the body', async () => {
    await sendMail(t.db, loadConfig({}), { to: 'e@example.org', subject: 'S', text: 'Corps', ...parts });
    const row = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', 'e@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(row.body, 'Corps');
    assert.deepEqual(row.headers, parts.headers);
    assert.deepEqual(row.attachments, parts.attachments);
  });

  test('an unreachable SMTP server is recorded as a failure, without throwing', async () => {
    const config = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:1' });
    await sendMail(t.db, config, { to: 'c@example.org', subject: 'X', text: 'Y' });
    const row = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', 'c@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'failed');
  });
});
