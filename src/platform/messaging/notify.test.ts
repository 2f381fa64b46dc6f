import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseChannel, createNotifier } from './notify.ts';

test('the channel: SMS for a mobile number alone or when preferred, email otherwise, none without either', () => {
  assert.equal(chooseChannel({ phone: '06 12 34 56 78' }), 'sms');
  assert.equal(chooseChannel({ email: 'a@exemple.fr', phone: '0612345678' }), 'email');
  assert.equal(chooseChannel({ email: 'a@exemple.fr', phone: '0612345678', prefers: 'sms' }), 'sms');
  assert.equal(chooseChannel({ email: 'a@exemple.fr', prefers: 'sms' }), 'email');
  // A landline cannot get an SMS.
  assert.equal(chooseChannel({ email: 'a@exemple.fr', phone: '04 78 00 00 00', prefers: 'sms' }), 'email');
  assert.equal(chooseChannel({ phone: '04 78 00 00 00' }), null);
  assert.equal(chooseChannel({ email: '  ', phone: null }), null);
});

test('the notifier sends by the chosen channel, the SMS to the normalised number', async () => {
  const sms: { to: string; text: string }[] = [];
  const mail: { to: string; subject: string; text: string }[] = [];
  const notifier = createNotifier({
    sms: {
      async send(to, text) {
        sms.push({ to, text });
        return { messageId: `m-${sms.length}` };
      },
    },
    mail: async (m) => {
      mail.push(m);
    },
  });
  const message = { subject: 'Rendez-vous', text: 'Votre rendez-vous est confirmé.', sms: 'RDV confirmé.' };
  assert.deepEqual(await notifier.notify({ phone: '06 12 34 56 78' }, message), {
    channel: 'sms',
    to: '+33612345678',
    messageId: 'm-1',
  });
  assert.deepEqual(sms, [{ to: '+33612345678', text: 'RDV confirmé.' }]);
  assert.deepEqual(await notifier.notify({ email: ' a@exemple.fr ', phone: '0612345678' }, message), {
    channel: 'email',
    to: 'a@exemple.fr',
  });
  assert.deepEqual(mail, [
    { to: 'a@exemple.fr', subject: 'Rendez-vous', text: 'Votre rendez-vous est confirmé.' },
  ]);
  await assert.rejects(
    notifier.notify({ phone: '0478000000' }, message),
    /neither an email address nor a mobile/,
  );
  assert.equal(sms.length + mail.length, 2);
});
