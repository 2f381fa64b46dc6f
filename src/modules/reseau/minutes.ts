import { audit } from '../../platform/audit/journal.ts';
import { type Actor, ensure } from '../../platform/auth/policy.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUuid } from '../../platform/forms.ts';
import { formatDateTime } from '../../platform/paris-time.ts';
import { A4, INK, pdfText, taggedPdf } from '../../platform/pdf.ts';
import { checkFile } from '../ressources/index.ts';
import { type EventDetail, eventDetail } from './agenda.ts';
import { COMMITTEE_TYPES } from './vocabulary.ts';

/**
 * A comité meeting's minutes as documents: each version of the text printed as a tagged PDF
 * with the meeting, who attended and the decisions; and the signed minutes a coordinator
 * attaches as a PDF, kept as a version of its own. A version is never overwritten.
 */

export type MinutesVersion = {
  /** From 1, in the order the versions were recorded. */
  numero: number;
  at: Date;
  kind: 'texte' | 'pdf';
  pdf_nom: string | null;
  size: number | null;
};

/** An event's minutes versions, oldest first; undefined when there is no such event. */
export async function minutesVersions(
  db: Db,
  actor: Actor,
  eventId: string,
): Promise<{ event: { id: string; titre: string }; versions: MinutesVersion[] } | undefined> {
  ensure(actor, 'network.manage');
  if (!isUuid(eventId)) return undefined;
  const event = await db
    .selectFrom('reseau_evenement')
    .select(['id', 'titre'])
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!event) return undefined;
  const rows = await db
    .selectFrom('reseau_compte_rendu')
    .select(['id', 'at', 'pdf_nom', (eb) => eb.fn<number | null>('octet_length', ['pdf']).as('size')])
    .select((eb) => eb('pdf', 'is not', null).as('has_pdf'))
    .where('evenement_id', '=', eventId)
    .orderBy('id')
    .execute();
  return {
    event,
    versions: rows.map((r, i) => ({
      numero: i + 1,
      at: r.at,
      kind: r.has_pdf ? 'pdf' : 'texte',
      pdf_nom: r.pdf_nom,
      size: r.size === null ? null : Number(r.size),
    })),
  };
}

const MARGIN = 56;
const WIDTH = A4.width - 2 * MARGIN;

const PRESENCE = (present: boolean | null) =>
  present === null ? 'présence non renseignée' : present ? 'présent' : 'absent';

/** The minutes of a meeting as a tagged A4 PDF: the meeting, attendance, the text, the decisions. */
export async function minutesDocument(
  detail: EventDetail,
  version: { texte: string; at: Date; numero: number } | undefined,
): Promise<Buffer> {
  const e = detail.event;
  const title = `Compte rendu — ${e.titre}`;
  const { doc, root, finish } = await taggedPdf({
    title,
    subject: 'Compte rendu de réunion du réseau',
    author: 'Relais',
    margin: MARGIN,
  });
  const block = (parent: PDFKit.PDFStructureElement, type: string, s: string, bold = false, size = 11) =>
    parent.add(
      doc.struct(type, {}, () =>
        doc
          .font(bold ? 'Helvetica-Bold' : 'Helvetica')
          .fontSize(size)
          .fillColor(INK)
          .text(pdfText(s), MARGIN, doc.y, { width: WIDTH }),
      ),
    );
  const gap = (lines = 0.5) => doc.moveDown(lines);
  const list = (items: string[]) => {
    const l = doc.struct('L');
    root.add(l);
    for (const item of items) {
      const li = doc.struct('LI');
      l.add(li);
      block(li, 'LBody', `– ${item}`);
    }
    l.end();
  };

  block(root, 'H1', title, true, 18);
  gap();
  block(root, 'H2', 'La réunion', true, 13);
  const when = `${formatDateTime(e.starts_at)} – ${formatDateTime(e.ends_at)}`;
  block(root, 'P', `Date : ${when}`);
  if (detail.committee)
    block(
      root,
      'P',
      `Comité : ${detail.committee.nom} (${COMMITTEE_TYPES[detail.committee.type].toLowerCase()})`,
    );
  if (e.lieu) block(root, 'P', `Lieu : ${e.lieu}`);
  if (e.lien) block(root, 'P', `Lien : ${e.lien}`);
  if (e.cancelled_at) block(root, 'P', `Réunion annulée le ${formatDateTime(e.cancelled_at)}.`, true);
  if (e.ordre_du_jour) {
    block(root, 'H3', 'Ordre du jour', true, 11);
    for (const line of paragraphs(e.ordre_du_jour)) block(root, 'P', line);
  }
  gap();
  block(root, 'H2', 'Présences', true, 13);
  if (detail.invitations.length === 0) block(root, 'P', 'Aucun membre invité.');
  else list(detail.invitations.map((i) => `${i.nom} : ${PRESENCE(i.present)}`));
  gap();
  block(root, 'H2', 'Compte rendu', true, 13);
  if (!version || version.texte.trim() === '') block(root, 'P', 'Aucun compte rendu rédigé.');
  else for (const p of paragraphs(version.texte)) block(root, 'P', p);
  gap();
  block(root, 'H2', 'Décisions', true, 13);
  if (detail.decisions.length === 0) block(root, 'P', 'Aucune décision enregistrée.');
  else
    list(detail.decisions.map((d) => `${d.texte}${d.action_titre ? ` (action : ${d.action_titre})` : ''}`));
  gap();
  block(
    root,
    'P',
    version
      ? `Version ${version.numero} du compte rendu, enregistrée le ${formatDateTime(version.at)}. Présences et décisions telles qu’enregistrées le ${formatDateTime(new Date())}.`
      : `Présences et décisions telles qu’enregistrées le ${formatDateTime(new Date())}.`,
    false,
    9,
  );
  return finish();
}

/** A text's paragraphs (blank lines between them), each without its trailing spaces. */
const paragraphs = (text: string) =>
  text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean);

export type MinutesFile = { bytes: Buffer; filename: string };

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'reunion';

/**
 * One version of the minutes as a PDF: the signed file as it was attached, or the text of that
 * version printed with the meeting; without `numero`, the latest text. Journaled.
 */
export async function minutesFile(
  db: Db,
  actor: Actor,
  eventId: string,
  numero?: number,
): Promise<MinutesFile | undefined> {
  const detail = await eventDetail(db, actor, eventId);
  if (!detail) return undefined;
  const rows = await db
    .selectFrom('reseau_compte_rendu')
    .select(['id', 'texte', 'at', 'pdf'])
    .where('evenement_id', '=', eventId)
    .orderBy('id')
    .execute();
  const name = slug(detail.event.titre);
  let file: MinutesFile;
  if (numero === undefined) {
    // The latest text version (a signed PDF version carries the text it was signed with).
    const index = rows.findLastIndex((r) => r.pdf === null);
    const row = rows[index];
    file = {
      bytes: await minutesDocument(
        detail,
        row ? { texte: row.texte, at: row.at, numero: index + 1 } : undefined,
      ),
      filename: `compte-rendu-${name}.pdf`,
    };
  } else {
    if (!Number.isInteger(numero) || numero < 1) return undefined;
    const row = rows[numero - 1];
    if (!row) return undefined;
    file = row.pdf
      ? { bytes: row.pdf, filename: `compte-rendu-signe-${name}-v${numero}.pdf` }
      : {
          bytes: await minutesDocument(detail, { texte: row.texte, at: row.at, numero }),
          filename: `compte-rendu-${name}-v${numero}.pdf`,
        };
  }
  await audit(db, {
    actor,
    action: 'network.minutes.download',
    subject: { type: 'reseau_evenement', id: eventId },
    details: { version: numero ?? null },
  });
  return file;
}

/**
 * Attaches the signed minutes: a PDF, checked by its content, kept as a new version (with the
 * text of the latest version, the one that was signed). Earlier versions stay as they are.
 */
export async function attachSignedMinutes(
  db: Db,
  actor: Actor,
  eventId: string,
  bytes: Buffer | undefined,
  fileName: string | undefined,
): Promise<'ok' | 'not_found' | { fichier: string }> {
  ensure(actor, 'network.manage');
  if (!isUuid(eventId)) return 'not_found';
  const exists = await db
    .selectFrom('reseau_evenement')
    .select('id')
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!exists) return 'not_found';
  if (!bytes || bytes.length === 0) return { fichier: 'Choisissez le fichier PDF du compte rendu signé.' };
  const checked = checkFile(bytes);
  if (!checked.ok) return { fichier: checked.reason };
  if (checked.contentType !== 'application/pdf')
    return { fichier: 'Le compte rendu signé doit être un fichier PDF (ce fichier n’en est pas un).' };
  await db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('reseau_evenement')
      .select('compte_rendu')
      .where('id', '=', eventId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('reseau_compte_rendu')
      .values({
        evenement_id: eventId,
        texte: latest.compte_rendu ?? '',
        by: actor.kind === 'user' ? actor.userId : null,
        pdf: checked.bytes,
        pdf_sha256: checked.sha256,
        pdf_nom: fileName ?? null,
      })
      .execute();
    await audit(trx, {
      actor,
      action: 'network.minutes.signed',
      subject: { type: 'reseau_evenement', id: eventId },
      details: { sha256: checked.sha256, size: checked.bytes.length },
    });
  });
  return 'ok';
}
