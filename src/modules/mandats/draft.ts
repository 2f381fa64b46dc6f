import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { parseForm, trimString } from '../../platform/forms.ts';
import { normaliseMobile } from '../../platform/messaging/index.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import type { Helper } from '../mediateurs/index.ts';
import { ensureMandates } from './habilitation.ts';
import type { Mandate, MandateRequest } from './service.ts';
import {
  DEMARCHE_CODES,
  DUREE_CODES,
  isDemarche,
  isDuree,
  isPieceIdentite,
  PIECES_IDENTITE,
} from './vocabulary.ts';

/**
 * A mandate in preparation: the step-by-step flow saves each answer here, on the server, so
 * that the "check your answers" page can send the helper back to any question. A draft
 * belongs to its helper and is forgotten after a day (purge job).
 */
export type DraftData = {
  beneficiaireId?: string;
  renouvelleId?: string;
  prenom?: string;
  nom?: string;
  dateNaissance?: string;
  pieceIdentite?: string;
  pieceVue?: boolean;
  lieuId?: string;
  demarches?: string[];
  duree?: string;
  consentement?: 'presentiel' | 'sms';
  telephone?: string;
};

export type Draft = { id: string; data: DraftData; collectiviteId: number };

export const STEPS = ['personne', 'structure', 'demarches', 'duree', 'consentement'] as const;
export type Step = (typeof STEPS)[number];
export const isStep = (s: string): s is Step => (STEPS as readonly string[]).includes(s);

export async function createDraft(db: Db, helper: Helper, data: DraftData): Promise<string> {
  ensureMandates(helper);
  const { id } = await db
    .insertInto('mandat_brouillon')
    .values({
      mediateur_id: helper.userId,
      collectivite_id: helper.collectiviteId,
      data: JSON.stringify(data),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** The helper's own draft, or undefined (someone else's draft does not exist for them). */
export async function loadDraft(db: Db, helper: Helper, id: string): Promise<Draft | undefined> {
  ensureMandates(helper);
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db
    .selectFrom('mandat_brouillon')
    .select(['id', 'data', 'collectivite_id'])
    .where('id', '=', id)
    .where('mediateur_id', '=', helper.userId)
    .where('updated_at', '>', new Date(Date.now() - 24 * 3600_000))
    .executeTakeFirst();
  return row && { id: row.id, data: row.data as DraftData, collectiviteId: row.collectivite_id };
}

export async function saveDraft(db: Db, draft: Draft, patch: DraftData): Promise<void> {
  await db
    .updateTable('mandat_brouillon')
    .set({ data: JSON.stringify({ ...draft.data, ...patch }), updated_at: new Date() })
    .where('id', '=', draft.id)
    .execute();
}

export async function deleteDraft(db: Db, id: string): Promise<void> {
  await db.deleteFrom('mandat_brouillon').where('id', '=', id).execute();
}

/** A new draft from an older mandate: the same person, structure, démarches and duration. */
export function renewalData(old: Mandate): DraftData {
  return {
    renouvelleId: old.id,
    ...(old.beneficiaire_id ? { beneficiaireId: old.beneficiaire_id } : {}),
    prenom: old.prenom,
    nom: old.nom,
    ...(old.date_naissance ? { dateNaissance: old.date_naissance } : {}),
    pieceIdentite: old.piece_identite,
    lieuId: old.lieu_id,
    demarches: old.demarches,
    duree: old.duree,
    consentement: old.consentement,
    ...(old.telephone ? { telephone: old.telephone } : {}),
  };
}

const trimmed = (message: string, max = 100) =>
  z.preprocess(
    trimString,
    z.string({ error: message }).min(1, message).max(max, `${max} caractères au plus.`),
  );

const personSchema = z.object({
  prenom: trimmed('Saisissez le prénom de la personne, tel qu’il figure sur sa pièce d’identité.'),
  nom: trimmed('Saisissez le nom de la personne, tel qu’il figure sur sa pièce d’identité.'),
  date_naissance: z
    .string({ error: 'Saisissez la date de naissance de la personne.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Saisissez la date de naissance au format jj/mm/aaaa.')
    .refine((d) => !Number.isNaN(Date.parse(d)), 'Cette date de naissance n’existe pas.')
    .refine((d) => d >= '1900-01-01', 'La date de naissance doit être après 1900.')
    .refine(
      (d) => d <= new Date().toISOString().slice(0, 10),
      'La date de naissance ne peut pas être dans le futur.',
    ),
  piece_identite: z
    .string({ error: 'Choisissez le document d’identité que vous avez vérifié.' })
    .refine(isPieceIdentite, 'Choisissez le document d’identité que vous avez vérifié.'),
  piece_vue: z.literal('oui', {
    error: 'Confirmez que vous avez vérifié l’identité de la personne sur ce document.',
  }),
});

/** `12/03/1948` or `1948-03-12` → `1948-03-12` (the date input sends the second). */
function isoDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const fr = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(value);
  return fr ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` : value.trim();
}

const asList = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type StepResult = { ok: true; patch: DraftData } | { ok: false; errors: FieldErrors };

/** Checks the answer to one question; the patch is what the draft keeps of it. */
export function parseStep(step: Step, body: Record<string, unknown>, places: string[]): StepResult {
  switch (step) {
    case 'personne': {
      const parsed = parseForm(personSchema, { ...body, date_naissance: isoDate(body.date_naissance) });
      if (!parsed.ok) return parsed;
      const d = parsed.data;
      return {
        ok: true,
        patch: {
          prenom: d.prenom,
          nom: d.nom,
          dateNaissance: d.date_naissance,
          pieceIdentite: d.piece_identite,
          pieceVue: true,
        },
      };
    }
    case 'structure': {
      const lieu = String(body.lieu ?? '');
      if (!places.includes(lieu))
        return { ok: false, errors: { lieu: 'Choisissez la structure où le mandat est signé.' } };
      return { ok: true, patch: { lieuId: lieu } };
    }
    case 'demarches': {
      const chosen = asList(body.demarches).map(String);
      if (chosen.length === 0)
        return { ok: false, errors: { demarches: 'Choisissez au moins une démarche.' } };
      if (!chosen.every(isDemarche))
        return { ok: false, errors: { demarches: 'Une des démarches choisies n’existe pas.' } };
      return { ok: true, patch: { demarches: DEMARCHE_CODES.filter((d) => chosen.includes(d)) } };
    }
    case 'duree': {
      const duree = String(body.duree ?? '');
      if (!isDuree(duree)) return { ok: false, errors: { duree: 'Choisissez la durée du mandat.' } };
      return { ok: true, patch: { duree } };
    }
    case 'consentement': {
      const mode = String(body.consentement ?? '');
      if (mode === 'presentiel') return { ok: true, patch: { consentement: 'presentiel' } };
      if (mode !== 'sms')
        return { ok: false, errors: { consentement: 'Choisissez comment la personne donne son accord.' } };
      const phone = normaliseMobile(String(body.telephone ?? ''));
      if (!phone)
        return {
          ok: false,
          errors: {
            telephone:
              'Saisissez le numéro de téléphone portable de la personne, par exemple 06 12 34 56 78.',
          },
        };
      return { ok: true, patch: { consentement: 'sms', telephone: phone } };
    }
  }
}

/**
 * The first question still unanswered, or the complete request. The check is the same as
 * each step's, so a draft edited by hand cannot skip one.
 */
export function completeRequest(
  data: DraftData,
  places: string[],
): { missing: Step } | { request: MandateRequest } {
  if (!data.prenom || !data.nom || !data.dateNaissance || !data.pieceIdentite || !data.pieceVue)
    return { missing: 'personne' };
  if (!data.pieceIdentite || !Object.hasOwn(PIECES_IDENTITE, data.pieceIdentite))
    return { missing: 'personne' };
  if (!data.lieuId || !places.includes(data.lieuId)) return { missing: 'structure' };
  const demarches = (data.demarches ?? []).filter(isDemarche);
  if (demarches.length === 0) return { missing: 'demarches' };
  if (!data.duree || !isDuree(data.duree)) return { missing: 'duree' };
  if (!data.consentement || (data.consentement === 'sms' && !data.telephone))
    return { missing: 'consentement' };
  return {
    request: {
      lieuId: data.lieuId,
      beneficiaireId: data.beneficiaireId ?? null,
      prenom: data.prenom,
      nom: data.nom,
      dateNaissance: data.dateNaissance,
      pieceIdentite: data.pieceIdentite,
      telephone: data.consentement === 'sms' ? (data.telephone ?? null) : null,
      consentement: data.consentement,
      demarches,
      duree: data.duree,
      renouvelleId: data.renouvelleId ?? null,
    },
  };
}

export { DUREE_CODES };
