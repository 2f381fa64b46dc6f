/**
 * Audit actions: each module declares the codes it writes in the journal, with their French
 * label, and the journal shows the label. A code is `entity.verb` in ASCII snake_case
 * (`place.create`, `mandate.revoke`); codes that were written before this rule (`lieux.create`,
 * `mandat.revoque`, `auth.signin.success`) stay as they are, since entries already in the
 * hash chain keep their code forever, and journal filters and exports select by code.
 *
 * Typing: a module lists its codes in a constant and adds it to `AuditActionCatalogue` under
 * its name (TypeScript declaration merging), so that `audit()` only accepts a declared code:
 *
 * ```ts
 * export const AUDIT_ACTIONS = auditActions({ 'place.create': 'Lieu créé' });
 * declare module '../../platform/audit/actions.ts' {
 *   interface AuditActionCatalogue { lieux: typeof AUDIT_ACTIONS }
 * }
 * ```
 *
 * and hands the same constant to the platform as `RelaisModule.auditActions`, which collects
 * every module's labels for the journal.
 */

/** Code → French label. */
export type AuditActionLabels = Readonly<Record<string, string>>;

/** The grammar of an audit action code: dotted ASCII snake_case words, at least two. */
export const AUDIT_ACTION_CODE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** Declares a module's audit actions: keeps the literal codes for the type of `audit()`. */
export function auditActions<const T extends Record<`${string}.${string}`, string>>(labels: T): T {
  return labels;
}

/** The actions the platform itself writes (API tokens, SMS outbox, journal signatures). */
export const PLATFORM_AUDIT_ACTIONS = auditActions({
  'token.create': 'Jeton d’API créé',
  'token.revoke': 'Jeton d’API révoqué',
  'token.use': 'Jeton d’API utilisé',
  'auth.token.failure': 'Jeton d’API refusé',
  'audit.signature.start': 'Signature du journal commencée (clé RELAIS_AUDIT_KEY)',
  'sms.outbox.read': 'SMS de développement consultés',
  'sms.reponse_simulee': 'Réponse SMS saisie (développement)',
});

/**
 * Every module's audit actions, by module name. Modules add themselves here (see above); the
 * platform's own actions are the first entry.
 */
export interface AuditActionCatalogue {
  platform: typeof PLATFORM_AUDIT_ACTIONS;
}

/** A code some module declared: the only kind of action `audit()` accepts. */
export type AuditAction = {
  [M in keyof AuditActionCatalogue]: keyof AuditActionCatalogue[M] & string;
}[keyof AuditActionCatalogue];

/**
 * Merges the modules' labels, checking each code's grammar and that no two modules declare the
 * same code (the label a journal shows must not depend on module order).
 */
export function collectAuditActions(
  modules: readonly { name: string; auditActions?: AuditActionLabels | undefined }[],
): Record<string, string> {
  const labels: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const mod of modules) {
    for (const [code, label] of Object.entries(mod.auditActions ?? {})) {
      if (!AUDIT_ACTION_CODE.test(code))
        throw new Error(`Audit action ${code} (module ${mod.name}) is not dotted snake_case`);
      const first = owner.get(code);
      if (first) throw new Error(`Audit action ${code} is declared by ${first} and ${mod.name}`);
      owner.set(code, mod.name);
      labels[code] = label;
    }
  }
  return labels;
}
