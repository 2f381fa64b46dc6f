import { calendarFile } from '../../platform/calendar.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { type MailAttachment, sendMail } from '../../platform/mail.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import type { Session } from './service.ts';
import { OFFER_HOURS, type RegistrationStatus } from './vocabulary.ts';

/** The messages of trainings: registration, a seat offered, cancellation, reminders. */

export type Message = { subject: string; text: string; attachments?: MailAttachment[] };

/** Sends a message to an account by email (outbox without SMTP); an account without email is skipped. */
export async function tell(db: Db, config: Config, userId: string, message: Message): Promise<void> {
  const user = await db.selectFrom('app_user').select('email').where('id', '=', userId).executeTakeFirst();
  if (user?.email) await sendMail(db, config, { to: user.email, ...message });
}

type SessionFacts = Pick<
  NonNullable<Session>,
  'id' | 'titre' | 'halfDays' | 'lieu_libelle' | 'lien_distance'
> & { status?: string };

/** The session as a calendar file: one event per half-day, the same in the mails and at its address. */
export function sessionCalendar(config: Config, s: SessionFacts): string {
  return calendarFile(
    s.halfDays.map((h, i) => ({
      uid: `${h.id}@${new URL(config.publicUrl).host}`,
      start: h.starts_at,
      end: h.ends_at,
      summary: `${s.titre} (${i + 1}/${s.halfDays.length})`,
      location: s.lieu_libelle,
      url: s.lien_distance,
      cancelled: s.status === 'annulee',
    })),
    { name: s.titre, product: 'Formations' },
  );
}

/** The half-days as lines: « – 12 janvier 2027 à 09:00 – 12:30 ». */
export const halfDayLines = (s: { halfDays: readonly { starts_at: Date; ends_at: Date }[] }) =>
  s.halfDays
    .map((h) => `– ${formatDateTime(h.starts_at)} – ${formatDateTime(h.ends_at).split(' à ').at(-1)}`)
    .join('\n');

const where = (s: SessionFacts) =>
  [s.lieu_libelle ? `Lieu : ${s.lieu_libelle}` : '', s.lien_distance ? `À distance : ${s.lien_distance}` : '']
    .filter(Boolean)
    .join('\n');

export const calendarUrl = (config: Config, sessionId: string) =>
  `${config.publicUrl}/formations/sessions/${sessionId}/agenda.ics`;

export function registrationMail(config: Config, s: SessionFacts, status: RegistrationStatus): Message {
  if (status === 'liste_attente')
    return {
      subject: `Liste d’attente : ${s.titre}`,
      text: `La session de la formation « ${s.titre} » est complète : vous êtes sur la liste d’attente.\n\nSi une place se libère, elle vous sera proposée par courriel et vous aurez ${OFFER_HOURS} heures pour la confirmer.\n\n${halfDayLines(s)}\n\nVos inscriptions : ${config.publicUrl}/formations/mes-inscriptions`,
    };
  return {
    subject: `Inscription confirmée : ${s.titre}`,
    text: `Vous êtes inscrit à la formation « ${s.titre} ».\n\n${halfDayLines(s)}\n${where(s)}\n\nLes dates sont dans le fichier joint, à ouvrir avec votre agenda (ou : ${calendarUrl(config, s.id)}).\n\nVous pouvez annuler jusqu’à la veille : ${config.publicUrl}/formations/mes-inscriptions`,
    attachments: [
      {
        filename: 'formation.ics',
        contentType: 'text/calendar; method=PUBLISH; charset=utf-8',
        content: sessionCalendar(config, s),
      },
    ],
  };
}

export function offerMail(config: Config, s: SessionFacts, _inscriptionId: string): Message {
  return {
    subject: `Une place s’est libérée : ${s.titre}`,
    text: `Une place s’est libérée à la session de la formation « ${s.titre} ».\n\n${halfDayLines(s)}\n\nElle vous est réservée pendant ${OFFER_HOURS} heures : confirmez-la sur ${config.publicUrl}/formations/mes-inscriptions. Sans réponse, elle sera proposée à la personne suivante.`,
  };
}

export function cancelMail(s: SessionFacts): Message {
  return {
    subject: `Inscription annulée : ${s.titre}`,
    text: `Votre inscription à la formation « ${s.titre} » a été annulée par votre coordinateur.\n\n${halfDayLines(s)}`,
  };
}

export function reminderMail(config: Config, s: SessionFacts, days: number): Message {
  return {
    subject: `Rappel : ${s.titre} ${days === 1 ? 'demain' : `dans ${days} jours`}`,
    text: `La formation « ${s.titre} » commence ${days === 1 ? 'demain' : `dans ${days} jours`}.\n\n${halfDayLines(s)}\n${where(s)}\n\nAgenda : ${calendarUrl(config, s.id)}\nSi vous ne pouvez pas venir, annulez pour libérer votre place : ${config.publicUrl}/formations/mes-inscriptions`,
  };
}
