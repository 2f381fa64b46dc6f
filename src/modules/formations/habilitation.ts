import { audit } from '../../platform/audit/journal.ts';
import { type Actor, can, ForbiddenError } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { grantHabilitation } from '../mandats/index.ts';
import { dayOf, habilitationBasis, type Outcome } from './service.ts';

/**
 * A training that leads to the mandate habilitation proposes it to the learner's coordinator:
 * one action grants it, with the training's last day as its date and the certificate as its basis.
 */
export async function grantFromCertificate(db: Db, actor: Actor, attestationId: string): Promise<Outcome> {
  const c = await db
    .selectFrom('formation_attestation as a')
    .innerJoin('formation_inscription as i', 'i.id', 'a.inscription_id')
    .innerJoin('formation_session as s', 's.id', 'i.session_id')
    .innerJoin('formation_type as t', 't.id', 's.type_id')
    .select([
      'a.id',
      'a.code',
      'a.revoked_at',
      'a.habilitation_at',
      'i.user_id',
      'i.collectivite_id',
      'i.session_id',
      't.titre',
      't.habilitante',
    ])
    .where('a.id', '=', attestationId)
    .executeTakeFirst();
  if (!c) return { ok: false, status: 404, message: 'Cette attestation n’existe pas.' };
  if (!can(actor, 'people.manage', { collectiviteId: c.collectivite_id }))
    throw new ForbiddenError(
      'Seuls les coordinateurs de cette personne et les administrateurs l’habilitent.',
    );
  if (!c.habilitante)
    return { ok: false, status: 409, message: 'Cette formation ne mène pas à l’habilitation aux mandats.' };
  if (c.revoked_at) return { ok: false, status: 409, message: 'Cette attestation est révoquée.' };
  if (c.habilitation_at) return { ok: false, status: 409, message: 'L’habilitation a déjà été accordée.' };
  const last = await db
    .selectFrom('formation_demi_journee')
    .select((eb) => eb.fn.max('ends_at').as('fin'))
    .where('session_id', '=', c.session_id)
    .executeTakeFirstOrThrow();
  const granted = await grantHabilitation(db, actor, c.user_id, c.collectivite_id, {
    dateFormation: dayOf(new Date(last.fin as Date)),
    certifiePar: habilitationBasis(c),
  });
  if (!granted.ok) return { ok: false, status: 409, message: granted.reason };
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('formation_attestation')
      .set({ habilitation_at: new Date(), habilitation_by: actor.kind === 'user' ? actor.userId : null })
      .where('id', '=', c.id)
      .execute();
    await audit(trx, {
      actor,
      action: 'training_certificate.habilitation',
      collectiviteId: c.collectivite_id,
      subject: { type: 'formation_attestation', id: c.id },
      details: { personne: c.user_id },
    });
  });
  return { ok: true, value: undefined };
}
