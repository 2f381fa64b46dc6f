import { audit } from '../../platform/audit/journal.ts';
import type { Actor } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isCalendarDay } from '../../platform/paris-time.ts';
import { afterChange } from './service.ts';
import {
  COMPETENCES,
  LICENCES,
  type Licence,
  PUBLICS,
  SUMMARY_MAX,
  THEMATIQUES,
  TITLE_MAX,
  TYPES,
} from './vocabulary.ts';

/**
 * Import of resources' metadata from JSON: the format of `/ressources/export.json`
 * (`relais-ressources/1`, or its bare list), so that a resource taken by hand from another
 * library (the national one, another OPSN's Relais) keeps its licence, its author and a link back
 * to where it comes from. Each resource becomes a draft of the library (an editor reads it,
 * completes it and publishes it) whose blocks are its links. Accepted resources are written in
 * one transaction; each rejected one and each warning is reported with its reason; `strict`
 * writes nothing if there is any.
 */

export type ImportProblem = { field: string; value: string; reason: string };
export type ImportRow = {
  line: number;
  titre: string | null;
  result: 'created' | 'rejected';
  errors: ImportProblem[];
  warnings: ImportProblem[];
};
export type ImportReport = {
  fileName: string;
  read: number;
  created: number;
  rejected: number;
  rows: ImportRow[];
  dryRun: boolean;
  /** Whether anything was written (false for a dry run, and for a strict import with problems). */
  written: boolean;
  ids: string[];
};

type Accepted = {
  titre: string;
  resume: string;
  licence: Licence;
  author_name: string;
  contributors: string;
  thematiques: string[];
  types: string[];
  publics: string[];
  competences: string[];
  review_on: string | null;
  source_url: string | null;
  liens: { titre: string; url: string }[];
};

const shown = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

const webAddress = (v: unknown): string | null => {
  if (typeof v !== 'string' || v.length > 2000) return null;
  try {
    const u = new URL(v.trim());
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
};

/** `etalab-2.0`, `CC-BY-SA 4.0`, `cc_by_nc_sa_4_0`: the licence codes of Relais. */
export function licenceOf(v: unknown): Licence | undefined {
  if (typeof v !== 'string') return undefined;
  const code = v
    .trim()
    .toLowerCase()
    .replace(/^licence\s+/, '')
    .replace(/[-.\s]+/g, '_');
  return code in LICENCES ? (code as Licence) : undefined;
}

function readRow(
  raw: unknown,
  line: number,
  seen: Set<string>,
  known: Set<string>,
): ImportRow & { data?: Accepted } {
  const errors: ImportProblem[] = [];
  const warnings: ImportProblem[] = [];
  const row = (data?: Accepted): ImportRow & { data?: Accepted } => ({
    line,
    titre:
      data?.titre ??
      (typeof (raw as { titre?: unknown })?.titre === 'string' ? (raw as { titre: string }).titre : null),
    result: errors.length ? 'rejected' : 'created',
    errors,
    warnings,
    ...(data && errors.length === 0 ? { data } : {}),
  });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push({ field: 'ressource', value: shown(raw), reason: 'une ressource est un objet JSON { … }' });
    return row();
  }
  const r = raw as Record<string, unknown>;
  const titre = typeof r.titre === 'string' ? r.titre.trim() : '';
  if (!titre || titre.length > TITLE_MAX)
    errors.push({
      field: 'titre',
      value: shown(r.titre),
      reason: titre ? `titre trop long (${TITLE_MAX} caractères au plus)` : 'titre absent',
    });
  const licence = licenceOf(r.licence);
  if (!licence)
    errors.push({
      field: 'licence',
      value: shown(r.licence),
      reason: `licence absente ou inconnue : une ressource sans licence ne peut pas être reprise (${Object.keys(LICENCES).join(', ')})`,
    });
  const text = (field: string, max: number): string => {
    const v = r[field];
    if (v === undefined || v === null || v === '') return '';
    if (typeof v !== 'string' || v.trim().length > max) {
      warnings.push({
        field,
        value: shown(v),
        reason:
          typeof v === 'string' ? `trop long (${max} caractères au plus) : ignoré` : 'pas un texte : ignoré',
      });
      return '';
    }
    return v.trim();
  };
  const resume = text('resume', SUMMARY_MAX);
  const contributors = text('contributeurs', 300);
  let author = text('auteur', 200);
  if (!author) {
    warnings.push({ field: 'auteur', value: shown(r.auteur), reason: 'auteur absent : « Auteur inconnu »' });
    author = 'Auteur inconnu';
  }
  const codes = (field: string, vocabulary: Record<string, string>): string[] => {
    const v = r[field];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split('|') : [v];
    const kept: string[] = [];
    for (const code of list) {
      const c = typeof code === 'string' ? code.trim() : code;
      if (typeof c === 'string' && c in vocabulary) {
        if (!kept.includes(c)) kept.push(c);
      } else warnings.push({ field, value: shown(code), reason: 'valeur inconnue : ignorée' });
    }
    return kept;
  };
  const thematiques = codes('thematiques', THEMATIQUES);
  const types = codes('types', TYPES);
  const publics = codes('publics', PUBLICS);
  const competences = codes('competences', COMPETENCES);
  let review_on: string | null = null;
  if (r.a_verifier_le !== undefined && r.a_verifier_le !== null && r.a_verifier_le !== '') {
    if (typeof r.a_verifier_le === 'string' && isCalendarDay(r.a_verifier_le)) review_on = r.a_verifier_le;
    else
      warnings.push({
        field: 'a_verifier_le',
        value: shown(r.a_verifier_le),
        reason: 'date illisible (AAAA-MM-JJ attendu) : ignorée',
      });
  }
  let source_url: string | null = null;
  if (r.url !== undefined && r.url !== null && r.url !== '') {
    source_url = webAddress(r.url);
    if (!source_url)
      warnings.push({
        field: 'url',
        value: shown(r.url),
        reason: 'adresse d’origine illisible (https://… attendu) : pas de lien vers l’origine',
      });
  }
  if (source_url && (seen.has(source_url) || known.has(source_url)))
    errors.push({
      field: 'url',
      value: shown(source_url),
      reason: known.has(source_url) ? 'déjà importée dans la bibliothèque' : 'déjà plus haut dans ce fichier',
    });
  if (source_url) seen.add(source_url);
  const liens: { titre: string; url: string }[] = [];
  const rawLinks = r.liens ?? [];
  for (const [i, l] of (Array.isArray(rawLinks) ? rawLinks : [rawLinks]).entries()) {
    const link = (typeof l === 'object' && l !== null ? l : { url: l }) as { titre?: unknown; url?: unknown };
    const url = webAddress(link.url);
    if (!url) {
      warnings.push({
        field: `liens[${i}]`,
        value: shown(link.url),
        reason: 'adresse illisible (https://… attendu) : lien ignoré',
      });
      continue;
    }
    const t =
      typeof link.titre === 'string' && link.titre.trim() ? link.titre.trim().slice(0, TITLE_MAX) : '';
    liens.push({ titre: t || new URL(url).hostname, url });
  }
  if (errors.length) return row();
  return row({
    titre,
    resume,
    licence: licence!,
    author_name: author,
    contributors,
    thematiques,
    types,
    publics,
    competences,
    review_on,
    source_url,
    liens,
  });
}

/** Reads the file: the export's object `{ format, ressources: […] }`, or a list of resources. */
function resourcesOf(
  content: Buffer | string,
): { ok: true; list: unknown[] } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(content.toString().replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, reason: `Fichier illisible : ce n’est pas du JSON (${(error as Error).message}).` };
  }
  if (Array.isArray(json)) return { ok: true, list: json };
  if (typeof json === 'object' && json !== null) {
    const o = json as { format?: unknown; ressources?: unknown };
    if (
      o.format !== undefined &&
      !(typeof o.format === 'string' && o.format.startsWith('relais-ressources/'))
    )
      return {
        ok: false,
        reason: `Format « ${shown(o.format)} » inconnu : le fichier doit suivre celui de l’export des ressources (relais-ressources/1).`,
      };
    if (Array.isArray(o.ressources)) return { ok: true, list: o.ressources };
  }
  return {
    ok: false,
    reason:
      'Le fichier doit contenir une liste de ressources, ou un objet { "ressources": [ … ] } comme l’export.',
  };
}

export const IMPORT_MAX = 5000;

export async function importResources(
  db: Db,
  actor: Actor,
  content: Buffer | string,
  options: { fileName: string; collectiviteId: number | null; strict?: boolean; dryRun?: boolean },
): Promise<{ ok: true; report: ImportReport } | { ok: false; reason: string }> {
  const parsed = resourcesOf(content);
  if (!parsed.ok) return parsed;
  if (parsed.list.length > IMPORT_MAX)
    return {
      ok: false,
      reason: `Le fichier contient ${parsed.list.length} ressources : ${IMPORT_MAX} au plus par import.`,
    };
  const addresses = parsed.list.flatMap((r) => {
    const a = webAddress((r as { url?: unknown } | null)?.url);
    return a ? [a] : [];
  });
  const known = new Set(
    addresses.length
      ? (
          await db.selectFrom('ressource').select('source_url').where('source_url', 'in', addresses).execute()
        ).map((r) => r.source_url!)
      : [],
  );
  const seen = new Set<string>();
  const rows = parsed.list.map((raw, i) => readRow(raw, i + 1, seen, known));
  const problems = rows.some((r) => r.errors.length || r.warnings.length);
  const report: ImportReport = {
    fileName: options.fileName,
    read: rows.length,
    created: 0,
    rejected: rows.filter((r) => r.result === 'rejected').length,
    rows: rows.map(({ data: _data, ...r }) => r),
    dryRun: options.dryRun ?? false,
    written: false,
    ids: [],
  };
  const accepted = rows.filter((r) => r.data);
  if (options.dryRun || (options.strict && problems)) {
    report.created = options.dryRun ? accepted.length : 0;
    return { ok: true, report };
  }
  const by = { userId: null, name: `Import (${options.fileName})`.slice(0, 200) };
  await db.transaction().execute(async (tx) => {
    for (const row of accepted) {
      const d = row.data!;
      const { id } = await tx
        .insertInto('ressource')
        .values({
          collectivite_id: options.collectiviteId,
          titre: d.titre,
          resume: d.resume,
          licence: d.licence,
          visibilite: 'publique',
          thematiques: d.thematiques,
          types: d.types,
          publics: d.publics,
          competences: d.competences,
          review_on: d.review_on,
          created_by: null,
          author_name: d.author_name,
          contributors: d.contributors,
          source_url: d.source_url,
          version: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (d.liens.length)
        await tx
          .insertInto('ressource_bloc')
          .values(
            d.liens.map((l, i) => ({
              ressource_id: id,
              position: i + 1,
              kind: 'lien' as const,
              titre: l.titre,
              url: l.url,
            })),
          )
          .execute();
      await afterChange(tx, by, id, d.source_url ? `Importée depuis ${d.source_url}` : 'Importée');
      await audit(tx, {
        actor,
        action: 'resource.import',
        collectiviteId: options.collectiviteId,
        subject: { type: 'ressource', id },
        details: { file: options.fileName, line: row.line },
      });
      report.ids.push(id);
    }
  });
  report.created = accepted.length;
  report.written = true;
  return { ok: true, report };
}

/** The report as a person reads it in a terminal: counts, then each rejected row and warning. */
export function importReportText(report: ImportReport): string {
  const lines = [
    report.fileName,
    `  ressources lues : ${report.read}`,
    `  ${report.dryRun ? 'à créer' : 'créées'} (en brouillon) : ${report.created}`,
    `  rejetées : ${report.rejected}`,
  ];
  const rejected = report.rows.filter((r) => r.result === 'rejected');
  if (rejected.length) lines.push('Ressources rejetées :');
  for (const row of rejected)
    for (const e of row.errors)
      lines.push(`  n° ${row.line} (${row.titre ?? 'sans titre'}) ${e.field} « ${e.value} » : ${e.reason}`);
  const warned = report.rows.filter((r) => r.warnings.length);
  if (warned.length) lines.push('Avertissements (valeurs ignorées) :');
  for (const row of warned)
    for (const w of row.warnings)
      lines.push(`  n° ${row.line} (${row.titre ?? 'sans titre'}) ${w.field} « ${w.value} » : ${w.reason}`);
  if (report.dryRun) lines.push('Essai (--dry-run) : rien n’a été enregistré.');
  else if (!report.written)
    lines.push(
      'Import strict (--strict) refusé : il y a des rejets ou des avertissements, rien n’a été enregistré.',
    );
  else lines.push('Enregistré : relisez les brouillons puis publiez-les (Mes ressources).');
  return lines.join('\n');
}
