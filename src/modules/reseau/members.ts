import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import {
  allValues,
  codes,
  isChecked,
  isUuid,
  optionalText,
  requiredText,
  trimString,
} from '../../platform/forms.ts';
import { sendMail } from '../../platform/mail.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import { findPublishedPlace, searchPlaces, searchSchema } from '../lieux/index.ts';
import { checkSiret } from './siret.ts';
import {
  MEMBER_KINDS,
  MEMBER_ROLES,
  MEMBER_STATUSES,
  type MemberRole,
  type MemberStatus,
  NAME_MAX,
  NEWS_FREQUENCIES,
  TEXT_MAX,
} from './vocabulary.ts';

export type Member = Selectable<Database['reseau_membre']>;
export type Contact = Selectable<Database['reseau_contact']>;
export type StatusChange = Selectable<Database['reseau_membre_statut']>;

export const PAGE_SIZE = 50;

const email = z.preprocess(
  trimString,
  z.email('Saisissez une adresse électronique valide, par exemple nom@structure.fr.').max(200),
);
const phone = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : trimString(v)),
  z
    .string()
    .regex(/^\+?[0-9 .]{10,20}$/, 'Saisissez un numéro de téléphone, par exemple 04 77 00 00 00.')
    .optional(),
);

/** A SIRET: required but for a State service, checked for its length and its Luhn key. */
const checkStructure = (v: { siret?: string | undefined; kind: string }, ctx: z.RefinementCtx) => {
  if (!v.siret) {
    if (v.kind !== 'service_etat')
      ctx.addIssue({
        code: 'custom',
        path: ['siret'],
        message: 'Saisissez le SIRET de la structure (14 chiffres).',
      });
    return;
  }
  const checked = checkSiret(v.siret);
  if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['siret'], message: checked.message });
};

const structureShape = {
  nom: requiredText('le nom de la structure', NAME_MAX),
  kind: z.enum(codes(MEMBER_KINDS), { error: 'Choisissez le type de structure.' }),
  siret: optionalText('le SIRET', 40),
  commune: optionalText('la commune', 100),
  presentation: optionalText('la présentation', TEXT_MAX),
  roles: z.preprocess(allValues, z.array(z.enum(codes(MEMBER_ROLES)))),
  public: z.preprocess(isChecked, z.boolean()),
};

const frequency = z.preprocess(
  (v) => (v === undefined || v === '' ? 'immediate' : v),
  z.enum(codes(NEWS_FREQUENCIES), { error: 'Choisissez comment recevoir les actualités.' }),
);

const contactShape = {
  contact_nom: requiredText('le nom du contact', NAME_MAX),
  contact_fonction: optionalText('la fonction du contact', NAME_MAX),
  contact_email: email,
  contact_telephone: phone,
  contact_frequence: frequency,
  accord: z.preprocess(
    isChecked,
    z.literal(true, { error: 'Cochez la case pour accepter l’usage de ces coordonnées.' }),
  ),
};

/** The public application form: the structure, one contact and their agreement. */
export const applicationFields = z.object({ ...structureShape, ...contactShape }).superRefine(checkStructure);

/** The structure as the coordination adds or corrects it (a place of the directory, or by SIRET). */
export const structureFields = z
  .object({
    ...structureShape,
    lieu: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().refine(isUuid, 'Choisissez un lieu de l’annuaire.').optional(),
    ),
  })
  .superRefine(checkStructure);
export type StructureInput = z.infer<typeof structureFields>;

/** A contact the coordination adds to a member, with the agreement they gave. */
export const contactFields = z.object({
  ...contactShape,
  accord: z.preprocess(
    isChecked,
    z.literal(true, { error: 'Cochez la case : la personne doit avoir accepté cet usage.' }),
  ),
});

export type Application = z.infer<typeof applicationFields>;

/** Records an application from the public form: the structure as `candidat`, its contact, its history. */
export async function applyToNetwork(
  db: Db,
  input: Application,
  ip: string | null,
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  const siret = input.siret ? (checkSiret(input.siret) as { siret: string }).siret : null;
  if (siret) {
    const taken = await db
      .selectFrom('reseau_membre')
      .select('id')
      .where('siret', '=', siret)
      .where('status', 'in', ['candidat', 'membre'])
      .executeTakeFirst();
    if (taken)
      return {
        ok: false,
        errors: {
          siret: 'Cette structure est déjà membre du réseau ou sa candidature est en cours d’examen.',
        },
      };
  }
  const id = await db.transaction().execute(async (trx) => {
    const member = await trx
      .insertInto('reseau_membre')
      .values({
        nom: input.nom,
        siret,
        kind: input.kind,
        commune: input.commune ?? null,
        roles: input.roles,
        public: input.public,
        presentation: input.presentation ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('reseau_contact')
      .values({
        membre_id: member.id,
        nom: input.contact_nom,
        fonction: input.contact_fonction ?? null,
        email: input.contact_email.toLowerCase(),
        telephone: input.contact_telephone ?? null,
        frequence: input.contact_frequence,
        consent_at: new Date(),
      })
      .execute();
    await trx
      .insertInto('reseau_membre_statut')
      .values({ membre_id: member.id, status: 'candidat', by: null, message: null })
      .execute();
    await audit(trx, {
      actor: { kind: 'anonymous' },
      action: 'network.member.apply',
      subject: { type: 'reseau_membre', id: member.id },
      ip,
    });
    return member.id;
  });
  return { ok: true, id };
}

export type MemberRow = Member & { contacts: number };

/** The members for the coordinators, by status; journaled (the list leads to the contacts). */
export async function listMembers(
  db: Db,
  actor: Actor,
  filter: { status?: MemberStatus | undefined; page: number },
): Promise<{ rows: MemberRow[]; count: number }> {
  ensure(actor, 'network.manage');
  let q = db.selectFrom('reseau_membre');
  if (filter.status) q = q.where('status', '=', filter.status);
  const [rows, count] = await Promise.all([
    q
      .selectAll('reseau_membre')
      .select((eb) =>
        eb
          .selectFrom('reseau_contact')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('reseau_contact.membre_id', '=', 'reseau_membre.id')
          .as('contacts'),
      )
      .orderBy(sql`status = 'candidat'`, 'desc')
      .orderBy('nom')
      .limit(PAGE_SIZE)
      .offset((filter.page - 1) * PAGE_SIZE)
      .execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  await audit(db, {
    actor,
    action: 'network.member.list',
    details: { status: filter.status ?? null, page: filter.page, shown: rows.length },
  });
  return { rows: rows.map((r) => ({ ...r, contacts: Number(r.contacts ?? 0) })), count: count.n };
}

export type MemberCounts = Record<MemberStatus, number>;

export async function memberCounts(db: Db): Promise<MemberCounts> {
  const rows = await db
    .selectFrom('reseau_membre')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(Object.keys(MEMBER_STATUSES).map((k) => [k, 0])) as MemberCounts;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export type MemberDetail = { member: Member; contacts: Contact[]; history: StatusChange[] };

/** A member's record with its contacts: for the coordinators, journaled. */
export async function memberDetail(db: Db, actor: Actor, id: string): Promise<MemberDetail | undefined> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return undefined;
  const member = await db.selectFrom('reseau_membre').selectAll().where('id', '=', id).executeTakeFirst();
  if (!member) return undefined;
  const [contacts, history] = await Promise.all([
    db.selectFrom('reseau_contact').selectAll().where('membre_id', '=', id).orderBy('created_at').execute(),
    db.selectFrom('reseau_membre_statut').selectAll().where('membre_id', '=', id).orderBy('id').execute(),
  ]);
  await audit(db, { actor, action: 'network.member.read', subject: { type: 'reseau_membre', id } });
  return { member, contacts, history };
}

export const decisionFields = z.object({
  decision: z.enum(['accepter', 'refuser'], { error: 'Choisissez d’accepter ou de refuser la candidature.' }),
  message: optionalText('le message', TEXT_MAX),
  roles: z.preprocess(allValues, z.array(z.enum(codes(MEMBER_ROLES)))),
});
export const withdrawalFields = z.object({ message: optionalText('le message', TEXT_MAX) });

async function changeStatus(
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  from: MemberStatus,
  to: MemberStatus,
  message: string | undefined,
  roles?: MemberRole[],
): Promise<'ok' | 'not_found' | 'wrong_status'> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const by = actor.kind === 'user' ? actor.userId : null;
  const done = await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('reseau_membre')
      .set({ status: to, updated_at: new Date(), ...(roles && roles.length > 0 ? { roles } : {}) })
      .where('id', '=', id)
      .where('status', '=', from)
      .returning(['id', 'nom'])
      .executeTakeFirst();
    if (!updated) return undefined;
    await trx
      .insertInto('reseau_membre_statut')
      .values({ membre_id: id, status: to, by, message: message ?? null })
      .execute();
    await audit(trx, {
      actor,
      action:
        to === 'membre'
          ? 'network.member.accept'
          : to === 'refuse'
            ? 'network.member.refuse'
            : 'network.member.withdraw',
      subject: { type: 'reseau_membre', id },
    });
    return updated;
  });
  if (!done) {
    const exists = await db.selectFrom('reseau_membre').select('id').where('id', '=', id).executeTakeFirst();
    return exists ? 'wrong_status' : 'not_found';
  }
  const contacts = await db
    .selectFrom('reseau_contact')
    .select(['email', 'nom'])
    .where('membre_id', '=', id)
    .execute();
  const subject =
    to === 'membre'
      ? `Bienvenue dans le réseau : ${done.nom}`
      : to === 'refuse'
        ? `Votre candidature au réseau : ${done.nom}`
        : `Sortie du réseau : ${done.nom}`;
  const body =
    to === 'membre'
      ? `Bonjour,\n\nLa candidature de ${done.nom} au réseau territorial est acceptée. Vous recevrez les invitations aux réunions et les actualités du réseau.`
      : to === 'refuse'
        ? `Bonjour,\n\nLa candidature de ${done.nom} au réseau territorial n’a pas été retenue.`
        : `Bonjour,\n\n${done.nom} ne fait plus partie du réseau territorial.`;
  for (const c of contacts)
    await sendMail(db, config, {
      to: c.email,
      subject,
      text: `${body}${message ? `\n\nMessage de la coordination :\n${message}` : ''}\n\nAgenda et actualités : ${config.publicUrl}/reseau\n`,
    });
  return 'ok';
}

export const decideApplication = (
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  input: z.infer<typeof decisionFields>,
) =>
  changeStatus(
    db,
    config,
    actor,
    id,
    'candidat',
    input.decision === 'accepter' ? 'membre' : 'refuse',
    input.message,
    input.roles,
  );

export const withdrawMember = (
  db: Db,
  config: Config,
  actor: Actor,
  id: string,
  message: string | undefined,
) => changeStatus(db, config, actor, id, 'membre', 'retire', message);

/** The SIRET of a place of the directory: its LMN `pivot` when that is a valid SIRET. */
const siretOfPivot = (pivot: string) => {
  const checked = checkSiret(pivot);
  return checked.ok ? checked.siret : undefined;
};

/** What the "add a member" form starts with for a place of the directory (published places only). */
export async function placeAsStructure(db: Db, actor: Actor, placeId: string) {
  ensure(actor, 'network.manage');
  const place = await findPublishedPlace(db, placeId);
  if (!place) return undefined;
  return {
    lieu: place.id,
    nom: place.nom,
    siret: siretOfPivot(place.pivot) ?? '',
    commune: place.commune,
    presentation: place.presentation_resume ?? '',
  };
}

/** The directory's places matching some words, for the coordination to pick members among them. */
export async function searchDirectory(db: Db, actor: Actor, words: string) {
  ensure(actor, 'network.manage');
  const query = searchSchema.parse({ q: words, limit: '10' });
  const found = await searchPlaces(db, query);
  const taken = new Set(
    (
      await db
        .selectFrom('reseau_membre')
        .select('lieu_id')
        .where('status', 'in', ['candidat', 'membre'])
        .where('lieu_id', 'is not', null)
        .execute()
    ).map((r) => r.lieu_id),
  );
  return found.hits.map((h) => ({
    id: h.id,
    nom: h.nom,
    commune: h.commune,
    code_postal: h.code_postal,
    member: taken.has(h.id),
  }));
}

/** Checks that a SIRET or a place is not already a current member (or candidate) other than `self`. */
async function alreadyInNetwork(
  db: Db,
  siret: string | null,
  lieuId: string | null,
  self?: string,
): Promise<FieldErrors | undefined> {
  if (!siret && !lieuId) return undefined;
  let q = db
    .selectFrom('reseau_membre')
    .select(['siret', 'lieu_id'])
    .where('status', 'in', ['candidat', 'membre']);
  if (self) q = q.where('id', '<>', self);
  q = q.where((eb) =>
    eb.or([...(siret ? [eb('siret', '=', siret)] : []), ...(lieuId ? [eb('lieu_id', '=', lieuId)] : [])]),
  );
  const other = await q.executeTakeFirst();
  if (!other) return undefined;
  return other.lieu_id && other.lieu_id === lieuId
    ? { nom: 'Ce lieu de l’annuaire est déjà membre du réseau ou candidat.' }
    : { siret: 'Cette structure (même SIRET) est déjà membre du réseau ou candidate.' };
}

/**
 * The coordination adds a structure to the network at once (status `membre`, kept in the
 * history): a place of the directory, or a structure with its SIRET.
 */
export async function addMember(
  db: Db,
  actor: Actor,
  input: StructureInput,
): Promise<{ ok: true; id: string } | { ok: false; errors: FieldErrors }> {
  ensure(actor, 'network.manage');
  const siret = input.siret ? (checkSiret(input.siret) as { siret: string }).siret : null;
  if (input.lieu && !(await findPublishedPlace(db, input.lieu)))
    return {
      ok: false,
      errors: { nom: 'Ce lieu n’est plus publié dans l’annuaire : cherchez-le à nouveau.' },
    };
  const taken = await alreadyInNetwork(db, siret, input.lieu ?? null);
  if (taken) return { ok: false, errors: taken };
  const by = actor.kind === 'user' ? actor.userId : null;
  const id = await db.transaction().execute(async (trx) => {
    const member = await trx
      .insertInto('reseau_membre')
      .values({
        nom: input.nom,
        siret,
        kind: input.kind,
        commune: input.commune ?? null,
        roles: input.roles,
        public: input.public,
        presentation: input.presentation ?? null,
        lieu_id: input.lieu ?? null,
        status: 'membre',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('reseau_membre_statut')
      .values({
        membre_id: member.id,
        status: 'membre',
        by,
        message: 'Ajoutée par la coordination du réseau.',
      })
      .execute();
    await audit(trx, {
      actor,
      action: 'network.member.add',
      subject: { type: 'reseau_membre', id: member.id },
      details: { lieu: input.lieu ?? null },
    });
    return member.id;
  });
  return { ok: true, id };
}

/** Corrects a member's structure (name, type, SIRET, commune, roles, public page, presentation). */
export async function updateMember(
  db: Db,
  actor: Actor,
  id: string,
  input: StructureInput,
): Promise<'ok' | 'not_found' | FieldErrors> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const current = await db
    .selectFrom('reseau_membre')
    .select(['id', 'lieu_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!current) return 'not_found';
  const siret = input.siret ? (checkSiret(input.siret) as { siret: string }).siret : null;
  const taken = await alreadyInNetwork(db, siret, current.lieu_id, id);
  if (taken) return taken;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('reseau_membre')
      .set({
        nom: input.nom,
        siret,
        kind: input.kind,
        commune: input.commune ?? null,
        roles: input.roles,
        public: input.public,
        presentation: input.presentation ?? null,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, { actor, action: 'network.member.update', subject: { type: 'reseau_membre', id } });
  });
  return 'ok';
}

/** Adds a contact to a member, with the agreement the person gave to the stated purpose. */
export async function addContact(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof contactFields>,
): Promise<'ok' | 'not_found' | FieldErrors> {
  ensure(actor, 'network.manage');
  if (!isUuid(id)) return 'not_found';
  const member = await db.selectFrom('reseau_membre').select('id').where('id', '=', id).executeTakeFirst();
  if (!member) return 'not_found';
  const email = input.contact_email.toLowerCase();
  const twice = await db
    .selectFrom('reseau_contact')
    .select('id')
    .where('membre_id', '=', id)
    .where('email', '=', email)
    .executeTakeFirst();
  if (twice) return { contact_email: 'Cette adresse est déjà un contact de la structure.' };
  await db.transaction().execute(async (trx) => {
    const c = await trx
      .insertInto('reseau_contact')
      .values({
        membre_id: id,
        nom: input.contact_nom,
        fonction: input.contact_fonction ?? null,
        email,
        telephone: input.contact_telephone ?? null,
        frequence: input.contact_frequence,
        consent_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actor,
      action: 'network.contact.add',
      subject: { type: 'reseau_membre', id },
      details: { contact: c.id },
    });
  });
  return 'ok';
}

/** Members who agreed to be shown, for the public page: name, kind, commune, roles only. */
export function publicMembers(db: Db) {
  return db
    .selectFrom('reseau_membre')
    .select(['id', 'nom', 'kind', 'commune', 'roles', 'presentation'])
    .where('status', '=', 'membre')
    .where('public', '=', true)
    .orderBy('nom')
    .execute();
}

/** Current members, for the forms (invitations, porteurs). */
export function currentMembers(db: Db) {
  return db
    .selectFrom('reseau_membre')
    .select(['id', 'nom'])
    .where('status', '=', 'membre')
    .orderBy('nom')
    .execute();
}

/** The members and their contacts as CSV rows, for the coordinators; journaled. */
export async function membersExport(db: Db, actor: Actor): Promise<string[][]> {
  ensure(actor, 'network.manage');
  const rows = await db
    .selectFrom('reseau_membre as m')
    .leftJoin('reseau_contact as c', 'c.membre_id', 'm.id')
    .select([
      'm.nom',
      'm.siret',
      'm.kind',
      'm.commune',
      'm.status',
      'm.roles',
      'm.public',
      'c.nom as contact',
      'c.fonction',
      'c.email',
      'c.telephone',
      'c.unsubscribed_at',
    ])
    .orderBy('m.nom')
    .execute();
  await audit(db, { actor, action: 'network.member.export', details: { rows: rows.length } });
  return [
    [
      'structure',
      'siret',
      'type',
      'commune',
      'statut',
      'roles',
      'page_publique',
      'contact',
      'fonction',
      'courriel',
      'telephone',
      'actualites',
    ],
    ...rows.map((r) => [
      r.nom,
      r.siret ?? '',
      MEMBER_KINDS[r.kind],
      r.commune ?? '',
      MEMBER_STATUSES[r.status],
      r.roles.map((x) => MEMBER_ROLES[x as MemberRole] ?? x).join('|'),
      r.public ? 'oui' : 'non',
      r.contact ?? '',
      r.fonction ?? '',
      r.email ?? '',
      r.telephone ?? '',
      r.email ? (r.unsubscribed_at ? 'désabonné' : 'abonné') : '',
    ]),
  ];
}

/** Erases the registrations to events that ended more than a month ago. */
export async function purgeRegistrations(db: Db): Promise<number> {
  const gone = await db
    .deleteFrom('reseau_inscription')
    .where('evenement_id', 'in', (eb) =>
      eb
        .selectFrom('reseau_evenement')
        .select('id')
        .where('ends_at', '<', sql<Date>`now() - interval '1 month'`),
    )
    .executeTakeFirst();
  return Number(gone.numDeletedRows);
}

/** Erases the contacts of structures refused or withdrawn more than a year ago. */
export async function purgeContacts(db: Db): Promise<number> {
  const gone = await db
    .deleteFrom('reseau_contact')
    .where('membre_id', 'in', (eb) =>
      eb
        .selectFrom('reseau_membre')
        .select('id')
        .where('status', 'in', ['refuse', 'retire'])
        .where('updated_at', '<', sql<Date>`now() - interval '1 year'`),
    )
    .executeTakeFirst();
  const n = Number(gone.numDeletedRows);
  if (n > 0)
    await audit(db, {
      actor: { kind: 'system', label: 'reseau.effacement' },
      action: 'network.contact.purge',
      details: { contacts: n },
    });
  return n;
}
