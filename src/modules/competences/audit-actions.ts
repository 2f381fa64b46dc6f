import { auditActions } from '../../platform/audit/actions.ts';

/** The audit actions of digital skills, with the French labels the journal shows. */
export const AUDIT_ACTIONS = auditActions({
  'skill.record': 'Diagnostic de compétences enregistré dans la fiche d’une personne',
  'skill.read': 'Diagnostics de compétences d’une personne consultés',
  'skill.list': 'Liste des personnes à diagnostiquer consultée',
  'skill.export': 'Diagnostics de compétences d’une personne exportés (CSV)',
  'skill.send': 'Résultat d’un diagnostic envoyé à la personne (courriel ou SMS, rien de gardé)',
});

declare module '../../platform/audit/actions.ts' {
  interface AuditActionCatalogue {
    competences: typeof AUDIT_ACTIONS;
  }
}
