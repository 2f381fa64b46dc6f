import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import { linkSecret, signLink } from './reception/link.ts';
import { type Referral, shortNameOf } from './referral.ts';
import { LINK_DAYS } from './vocabulary.ts';

const answerUrl = (config: Config, token: string) => `${config.publicUrl}/orientations/reponse/${token}`;

/** Mails the answer link of this version to the place's contact (`reminder`: the how-many-th reminder). */
export async function mailLink(
  db: Db,
  config: Config,
  r: Referral,
  version: number,
  now: Date = new Date(),
  reminder = 0,
): Promise<void> {
  const token = signLink(await linkSecret(db), r.id, version, now);
  await sendMail(db, config, {
    to: r.destination_email,
    subject: `${reminder > 0 ? `Relance ${reminder} : o` : 'O'}rientation de ${shortNameOf(r)} vers « ${r.service} »`,
    text: [
      'Bonjour,',
      '',
      `${r.sender_name} oriente vers ${r.destination_name} (service « ${r.service} ») une personne qui a donné son accord : ${shortNameOf(r)}.`,
      ...(r.destination_referent ? [`À l’attention de : ${r.destination_referent}.`] : []),
      ...(reminder > 0 ? ['', 'Cette orientation attend toujours votre réponse.'] : []),
      '',
      `Pour la lire et y répondre (mettre à l’étude, accepter ou refuser), ouvrez ce lien, valable ${LINK_DAYS} jours :`,
      answerUrl(config, token),
      '',
      'Ne transférez pas ce lien : il donne accès à cette orientation. Les coordonnées de la personne apparaissent une fois l’orientation acceptée.',
      '',
      'Relais',
    ].join('\n'),
  });
}
