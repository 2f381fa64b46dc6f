import { systemActor } from '../../platform/auth/policy.ts';
import type { Notifier } from '../../platform/messaging/index.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { DEMO_HELPER_EMAIL } from '../activites/index.ts';
import { helperByEmail, helperPlaceIds } from '../mediateurs/index.ts';
import { createMandate } from './creation.ts';
import { grantHabilitation } from './habilitation.ts';
import { revokeMandate } from './service.ts';

/** Demo mode: the demo helper is habilitated and holds two mandates, one partly revoked. */
export async function seedMandats({ db }: ModuleContext): Promise<void> {
  const helper = await helperByEmail(db, DEMO_HELPER_EMAIL);
  if (!helper) return;
  const { userId, collectiviteId } = helper;
  if (await db.selectFrom('habilitation').select('user_id').where('user_id', '=', userId).executeTakeFirst())
    return;
  const [lieuId] = await helperPlaceIds(db, userId);
  if (!lieuId) return;
  await grantHabilitation(db, systemActor('démonstration'), userId, collectiviteId, {
    dateFormation: '2026-03-10',
    certifiePar: 'Aidants Connect — formation des aidants habilités',
  });
  const noSms: Notifier = {
    notify: () => Promise.reject(new Error('no message in the demo data')),
  };
  const base = {
    lieuId,
    beneficiaireId: null,
    telephone: null,
    consentement: 'presentiel' as const,
    renouvelleId: null,
  };
  await createMandate(
    db,
    helper,
    {
      ...base,
      prenom: 'Josette',
      nom: 'Durand',
      dateNaissance: '1948-03-12',
      pieceIdentite: 'carte_identite',
      demarches: ['social', 'argent'],
      duree: '12m',
    },
    noSms,
  );
  const second = await createMandate(
    db,
    helper,
    {
      ...base,
      prenom: 'Ahmed',
      nom: 'Benali',
      dateNaissance: '1961-09-30',
      pieceIdentite: 'titre_sejour',
      demarches: ['etranger', 'logement', 'transports'],
      duree: '6m',
    },
    noSms,
  );
  if (second.ok) await revokeMandate(db, helper, second.value, ['transports'], 'personne');
}
