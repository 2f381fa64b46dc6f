import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of mandates and the habilitations to hold them, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'habilitation.accordee': 'Habilitation aux mandats accordée',
  'habilitation.avertie': 'Aidant averti de la perte prochaine de son habilitation',
  'habilitation.retiree': 'Habilitation aux mandats retirée',
  'habilitation.auto_invitation': 'Alerte : habilitation accordée par la personne qui a invité ce compte',
  'mandat.identite_verifiee': 'Mandat : identité de la personne vérifiée (brouillon)',
  'mandat.personne_identifiee': 'Mandat : personne identifiée',
  'mandat.code_refuse': 'Mandat : code de confirmation refusé',
  'mandat.sms_envoye': 'Mandat : demande d’accord envoyée par SMS',
  'mandat.sms_echec': 'Mandat : échec de l’envoi du SMS',
  'mandat.sms_recu': 'Mandat : accord reçu par SMS',
  'mandat.sms_refuse': 'Mandat : accord refusé ou expiré',
  'mandat.attestation_creee': 'Mandat : attestation créée',
  'mandat.autorisation_creee': 'Mandat : autorisation créée',
  'mandat.autorisation_utilisee': 'Mandat : utilisation déclarée',
  'mandat.autorisation_revoquee': 'Mandat : autorisation révoquée',
  'mandat.revoque': 'Mandat révoqué',
  'mandat.renouvele': 'Mandat renouvelé',
  'mandat.expire': 'Mandat expiré',
  'mandat.consulte': 'Mandat consulté',
  'mandat.list': 'Liste de mandats consultée',
  'mandat.demande_annulee': 'Mandat : demande d’accord annulée par l’aidant',
  'mandat.purge': 'Mandats effacés (durée de conservation)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    mandats: typeof AUDIT_ACTIONS;
  }
}
