import type { AuditActionLabels } from '../../platform/audit/actions.ts';

/**
 * Codes that earlier versions of Relais wrote and no module writes any more. Entries already
 * in the journal keep their code forever (the chain covers it), so the journal keeps their label.
 */
export const LEGACY_ACTION_LABELS: AuditActionLabels = {
  'activites.places': 'Lieux d’activité choisis',
  'user.create': 'Compte créé',
};

/** The label of an action: from the module that declares it, else the legacy labels, else none. */
export type ActionLabels = (code: string) => string | undefined;

/** Every label the journal shows: the modules' (collected by the platform) and the legacy ones. */
export function actionLabels(declared: AuditActionLabels): ActionLabels {
  const labels: Record<string, string> = { ...LEGACY_ACTION_LABELS, ...declared };
  return (code) => (Object.hasOwn(labels, code) ? labels[code] : undefined);
}
