import { parse as parseCsv } from 'csv-parse/sync';
import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { findSession } from './service.ts';

/**
 * The completion file a training body sends after a session (as Aidants Connect's training
 * bodies do): one row per learner, found by their email (`courriel` or `email`), with either one
 * column per half-day (`presence_1`, `presence_2`… as the session's export writes them) or one
 * `termine` column (finished: present at every half-day). Values: present/absent, oui/non, 1/0.
 *
 * Accepted rows are written in one transaction as attendance of source `import`; each rejected
 * row and each warning is reported with its line and reason. An unreadable cell drops that cell
 * (a warning); `strict` refuses the whole file on any problem. The journal keeps the import.
 */

export type CompletionRow = {
  line: number;
  courriel: string;
  result: 'accepted' | 'rejected';
  /** Present (true) or absent (false) per half-day number, as recorded. */
  presences: Record<number, boolean>;
  errors: string[];
  warnings: string[];
};

export type CompletionReport = {
  session: string;
  titre: string;
  read: number;
  accepted: number;
  rejected: number;
  warnings: number;
  /** Attendance values written (new or changed). */
  written: number;
  saved: boolean;
  dryRun: boolean;
  rows: CompletionRow[];
};

const YES = new Set([
  'present',
  'présent',
  'presente',
  'présente',
  'oui',
  'o',
  'yes',
  'y',
  '1',
  'x',
  'vrai',
  'true',
]);
const NO = new Set(['absent', 'absente', 'non', 'n', 'no', '0', 'faux', 'false']);

function presenceValue(raw: string): boolean | null | undefined {
  const v = raw.trim().toLowerCase();
  if (v === '') return undefined;
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return null;
}

export async function importCompletion(
  db: Db,
  actor: Actor,
  sessionId: string,
  content: Buffer | string,
  options: { strict?: boolean | undefined; dryRun?: boolean | undefined } = {},
  now = new Date(),
): Promise<{ ok: true; report: CompletionReport } | { ok: false; reason: string }> {
  const session = await findSession(db, sessionId);
  if (!session) return { ok: false, reason: `Aucune session de formation n’a l’identifiant ${sessionId}.` };
  if (session.status === 'annulee') return { ok: false, reason: 'Cette session est annulée.' };
  const text = (typeof content === 'string' ? content : content.toString('utf8')).replace(/^\ufeff/, '');
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    return { ok: false, reason: `Fichier CSV illisible : ${(error as Error).message}` };
  }
  const columns = (records[0] ?? []).map((c) => c.trim().toLowerCase());
  const emailCol = columns.findIndex((c) => c === 'courriel' || c === 'email' || c === 'e-mail');
  if (emailCol < 0)
    return {
      ok: false,
      reason: 'Le fichier n’a pas de colonne « courriel » : une ligne par personne, avec son adresse.',
    };
  const finishedCol = columns.findIndex(
    (c) => c === 'termine' || c === 'terminé' || c === 'formation_terminee',
  );
  const halfDayCols = new Map<number, number>();
  for (const [i, c] of columns.entries()) {
    const m = /^presence_(\d+)\b/.exec(c) ?? /^présence_(\d+)\b/.exec(c);
    if (m) halfDayCols.set(i, Number(m[1]));
  }
  if (finishedCol < 0 && halfDayCols.size === 0)
    return {
      ok: false,
      reason:
        'Le fichier n’a ni colonne « termine » ni colonnes « presence_1 », « presence_2 »… : rien à importer.',
    };
  const count = session.halfDays.length;
  for (const n of halfDayCols.values())
    if (n < 1 || n > count)
      return {
        ok: false,
        reason: `La colonne presence_${n} ne correspond à aucune demi-journée : la session en compte ${count}.`,
      };
  const future = session.halfDays.findIndex((h) => h.starts_at > now);
  const registered = await db
    .selectFrom('formation_inscription as i')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .select(['i.id', 'u.email', 'i.status'])
    .where('i.session_id', '=', session.id)
    .where('i.status', '<>', 'annule')
    .execute();
  const byEmail = new Map(registered.map((r) => [r.email.toLowerCase(), r]));
  const seen = new Set<string>();
  const rows: CompletionRow[] = [];
  for (const [index, record] of records.slice(1).entries()) {
    const line = index + 2;
    const courriel = (record[emailCol] ?? '').trim().toLowerCase();
    const row: CompletionRow = {
      line,
      courriel,
      result: 'accepted',
      presences: {},
      errors: [],
      warnings: [],
    };
    rows.push(row);
    const who = byEmail.get(courriel);
    if (courriel === '') row.errors.push('adresse vide');
    else if (!who) row.errors.push('personne inscrite à cette session introuvable avec cette adresse');
    else if (who.status !== 'inscrit') row.errors.push('personne en liste d’attente, pas inscrite');
    else if (seen.has(courriel)) row.errors.push('personne déjà présente plus haut dans le fichier');
    seen.add(courriel);
    const cells: [number, string, string][] = [];
    if (finishedCol >= 0) {
      const raw = record[finishedCol] ?? '';
      for (let n = 1; n <= count; n++) cells.push([n, raw, 'termine']);
    }
    for (const [col, n] of halfDayCols) cells.push([n, record[col] ?? '', `presence_${n}`]);
    for (const [n, raw, column] of cells) {
      const value = presenceValue(raw);
      if (value === undefined) continue;
      if (value === null) {
        const reason = `${column} « ${raw.slice(0, 40)} » illisible (attendu : present ou absent)`;
        if (options.strict) row.errors.push(reason);
        else row.warnings.push(`${reason} : valeur ignorée`);
        continue;
      }
      if (future >= 0 && n > future) {
        const reason = `${column} : la demi-journée ${n} n’a pas encore commencé`;
        if (options.strict) row.errors.push(reason);
        else row.warnings.push(`${reason} : valeur ignorée`);
        continue;
      }
      row.presences[n] = value;
    }
    if (row.errors.length) row.result = 'rejected';
  }
  const accepted = rows.filter((r) => r.result === 'accepted');
  const rejected = rows.length - accepted.length;
  const warnings = rows.reduce((n, r) => n + r.warnings.length, 0);
  const refuse = options.strict === true && (rejected > 0 || warnings > 0);
  const save = !options.dryRun && !refuse;
  let written = 0;
  if (save) {
    written = await db.transaction().execute(async (trx) => {
      let n = 0;
      const values = accepted.flatMap((r) =>
        Object.entries(r.presences).map(([k, present]) => ({
          inscription_id: (byEmail.get(r.courriel) as { id: string }).id,
          demi_journee_id: (session.halfDays[Number(k) - 1] as { id: string }).id,
          present,
        })),
      );
      if (values.length === 0) return 0;
      const before = await trx
        .selectFrom('formation_presence')
        .select(['inscription_id', 'demi_journee_id', 'present'])
        .where(
          'demi_journee_id',
          'in',
          session.halfDays.map((h) => h.id),
        )
        .execute();
      const was = new Map(before.map((b) => [`${b.inscription_id}:${b.demi_journee_id}`, b.present]));
      const changed = values.filter((v) => was.get(`${v.inscription_id}:${v.demi_journee_id}`) !== v.present);
      if (changed.length === 0) return 0;
      await trx
        .insertInto('formation_presence')
        .values(
          changed.map((v) => ({
            ...v,
            source: 'import' as const,
            recorded_at: now,
            recorded_by: actor.kind === 'user' ? actor.userId : null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['inscription_id', 'demi_journee_id']).doUpdateSet((eb) => ({
            present: eb.ref('excluded.present'),
            source: eb.ref('excluded.source'),
            recorded_at: eb.ref('excluded.recorded_at'),
            recorded_by: eb.ref('excluded.recorded_by'),
          })),
        )
        .execute();
      n = changed.length;
      await audit(trx, {
        actor,
        action: 'training_completion.import',
        collectiviteId: session.collectivite_id,
        subject: { type: 'formation_session', id: session.id },
        details: {
          lignes: rows.length,
          acceptees: accepted.length,
          rejetees: rejected,
          valeurs: n,
          corrections: changed.filter((c) => was.has(`${c.inscription_id}:${c.demi_journee_id}`)).length,
        },
      });
      return n;
    });
  }
  return {
    ok: true,
    report: {
      session: session.id,
      titre: session.titre,
      read: rows.length,
      accepted: accepted.length,
      rejected,
      warnings,
      written,
      saved: save,
      dryRun: options.dryRun === true,
      rows,
    },
  };
}

/** The report as a person reads it in a terminal: counts, then each rejected row and warning. */
export function completionReportText(r: CompletionReport): string {
  const lines = [
    `Session « ${r.titre} » (${r.session})`,
    `  lignes lues : ${r.read}`,
    `  acceptées : ${r.accepted}`,
    `  rejetées : ${r.rejected}`,
    `  présences enregistrées ou corrigées : ${r.written}`,
  ];
  const rejected = r.rows.filter((row) => row.result === 'rejected');
  if (rejected.length) lines.push('Lignes rejetées :');
  for (const row of rejected)
    for (const e of row.errors) lines.push(`  ligne ${row.line} (${row.courriel || 'sans adresse'}) : ${e}`);
  const warned = r.rows.filter((row) => row.warnings.length);
  if (warned.length) lines.push('Avertissements :');
  for (const row of warned)
    for (const w of row.warnings) lines.push(`  ligne ${row.line} (${row.courriel}) : ${w}`);
  if (r.dryRun) lines.push('Essai (--dry-run) : rien n’a été enregistré.');
  else if (!r.saved) lines.push('Import strict (--strict) refusé : rien n’a été enregistré.');
  else lines.push('Enregistré.');
  return lines.join('\n');
}
