import QRCode from 'qrcode';
import type { Db } from '../../platform/db/database.ts';
import { formatDate, formatDateTime, formatDay } from '../../platform/paris-time.ts';
import { A4, INK, pdfText, taggedPdf } from '../../platform/pdf.ts';
import { placePostalAddress } from '../lieux/index.ts';
import { attestationFacts, type Mandate, revocationsOf } from './service.ts';
import {
  DEMANDEURS,
  DEMARCHE_CODES,
  DEMARCHES,
  type Demandeur,
  demarcheLabel,
  isDemarche,
  RETENTION_YEARS,
} from './vocabulary.ts';

/**
 * The attestations a person takes home: the mandate's (what it allows, until when, their
 * rights, where to check it) and each revocation's. One document model, printed as an HTML
 * page and as a PDF, so both always say the same thing.
 */

export type AttestationSection = { heading: string; paragraphs: string[]; items?: string[] };

export type AttestationDocument = {
  title: string;
  /** Shown under the title: the structure and its address. */
  issuer: string;
  sections: AttestationSection[];
  /** The SHA-256 fingerprint printed on the document (the one journaled). */
  fingerprint: string;
  verifyUrl: string;
  /** The lines of the signature area; empty when consent was given remotely. */
  signatures: string[];
  footer: string;
};

export const verifyUrlOf = (publicUrl: string, fingerprint: string) =>
  `${publicUrl}/mandats/verifier/${fingerprint}`;

const placeOf = placePostalAddress;

const addressOf = (p: { nom: string; adresse: string; code_postal: string; commune: string }) =>
  `${p.nom}, ${p.adresse}, ${p.code_postal} ${p.commune}`;

const RIGHTS = (structure: string) => [
  `Vous pouvez révoquer ce mandat à tout moment, pour une démarche ou pour toutes : présentez-vous à la structure ${structure} ou demandez-le à l’aidant. La révocation prend effet immédiatement et vous recevez une attestation de révocation.`,
  'Chaque utilisation du mandat est enregistrée (la démarche, la date, l’aidant). Vous pouvez demander à la structure la liste de ces utilisations.',
  'L’aidant ne vous demande jamais de lui confier vos identifiants ou vos mots de passe, et n’en garde aucune trace.',
  `Vos données (nom, prénom, date de naissance, nature de la pièce d’identité vue, téléphone si l’accord est donné par SMS) servent seulement à ce mandat. Elles sont conservées ${RETENTION_YEARS} ans après la fin du mandat, puis supprimées. Vous pouvez y accéder, les faire rectifier ou effacer en vous adressant à la structure.`,
];

/** The mandate's attestation, from the facts its fingerprint covers. */
export async function mandateAttestation(
  db: Db,
  m: Mandate,
  publicUrl: string,
): Promise<AttestationDocument> {
  if (!m.empreinte) throw new Error('A mandate without a fingerprint has no attestation');
  const [facts, place] = await Promise.all([attestationFacts(db, m), placeOf(db, m.lieu_id)]);
  const person = `${facts.personne.prenom} ${facts.personne.nom}`;
  const born = facts.personne.dateNaissance
    ? `, née ou né le ${formatDay(facts.personne.dateNaissance)}`
    : '';
  const demarches = facts.demarches.filter(isDemarche);
  return {
    title: 'Attestation de mandat',
    issuer: addressOf(place),
    sections: [
      {
        heading: 'Le mandat',
        paragraphs: [
          `En application de l’article 1984 du Code civil, ${person}${born}, donne mandat à ${facts.aidant.nom}, aidant habilité de la structure ${facts.structure.nom}, et aux aidants habilités de cette structure, pour réaliser en son nom les démarches administratives en ligne suivantes, et seulement celles-ci :`,
        ],
        items: demarches.map((d) => `${DEMARCHES[d].label} (par exemple : ${DEMARCHES[d].exemples})`),
      },
      {
        heading: 'Durée',
        paragraphs: [
          `Du ${formatDateTime(new Date(facts.debut))} au ${formatDateTime(new Date(facts.fin))}. Après cette date, le mandat cesse de lui-même.`,
        ],
      },
      {
        heading: 'Accord de la personne',
        paragraphs: [
          m.consentement === 'sms'
            ? 'La personne a donné son accord à distance, en répondant « Oui » au SMS qui lui décrivait ce mandat. Sa réponse est enregistrée au journal de Relais.'
            : 'La personne a lu cette attestation et l’a signée en présence de l’aidant, qui a vérifié son identité sur une pièce d’identité (aucune copie n’est gardée).',
        ],
      },
      { heading: 'Vos droits', paragraphs: RIGHTS(place.nom) },
    ],
    fingerprint: m.empreinte,
    verifyUrl: verifyUrlOf(publicUrl, m.empreinte),
    signatures:
      m.consentement === 'sms'
        ? []
        : [`Fait à ${place.commune}, le ${formatDate(new Date(facts.debut))}`, person, facts.aidant.nom],
    footer: `Modèle ${facts.modele}. Vérifiez à tout moment l’état de ce mandat à l’adresse ci-dessus ou avec le QR code : la page dit seulement s’il est valide, révoqué ou expiré.`,
  };
}

/** The attestation of one revocation of a mandate; undefined when it is not this mandate's. */
export async function revocationAttestation(
  db: Db,
  m: Mandate,
  revocationId: string,
  publicUrl: string,
): Promise<AttestationDocument | undefined> {
  const revocation = (await revocationsOf(db, m.id)).find((r) => r.id === revocationId);
  if (!revocation || !m.empreinte) return undefined;
  const [place, open] = await Promise.all([
    placeOf(db, m.lieu_id),
    db
      .selectFrom('autorisation')
      .select('demarche')
      .where('mandat_id', '=', m.id)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', revocation.revoked_at)]))
      .execute(),
  ]);
  const remaining = DEMARCHE_CODES.filter(
    (d) => open.some((a) => a.demarche === d) && !revocation.demarches.includes(d),
  );
  const asked =
    revocation.requested_by === 'remplacement'
      ? 'Elle résulte d’un nouveau mandat donné par la personne pour la même démarche à la même structure.'
      : `Demandée par : ${(DEMANDEURS[revocation.requested_by as Demandeur] ?? revocation.requested_by).toLowerCase()}. Enregistrée par ${revocation.par ?? 'un aidant dont le compte a été supprimé'}.`;
  return {
    title: 'Attestation de révocation de mandat',
    issuer: addressOf(place),
    sections: [
      {
        heading: 'La révocation',
        paragraphs: [
          `Le ${formatDateTime(revocation.revoked_at)}, le mandat donné par ${m.prenom} ${m.nom} le ${m.debut ? formatDate(m.debut) : '—'} à la structure ${place.nom} est révoqué pour les démarches suivantes. Plus aucun aidant ne peut les faire en son nom au titre de ce mandat :`,
        ],
        items: revocation.demarches.map(demarcheLabel),
      },
      { heading: 'La demande', paragraphs: [asked] },
      {
        heading: 'Ce qui reste',
        paragraphs: [
          remaining.length === 0
            ? 'Le mandat ne couvre plus aucune démarche : il est entièrement révoqué.'
            : `Le mandat couvre encore, jusqu’au ${m.fin ? formatDateTime(m.fin) : '—'} : ${remaining.map(demarcheLabel).join(' ; ')}.`,
        ],
      },
      { heading: 'Vos droits', paragraphs: RIGHTS(place.nom) },
    ],
    // The verification page knows the mandate: its fingerprint is the one to check.
    fingerprint: m.empreinte,
    verifyUrl: verifyUrlOf(publicUrl, m.empreinte),
    signatures: [],
    footer: `Empreinte SHA-256 de cette révocation, gardée au journal : ${revocation.empreinte}.`,
  };
}

/** The QR code of the verification address, as SVG markup (print page). */
export const verificationQrSvg = (url: string) =>
  QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

const MARGIN = 56;
const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN;
const QR_SIZE = 90;

/**
 * The document as an A4 PDF: text, fingerprint, QR code and the signature area. It is tagged
 * (French, its title, headings, paragraphs and lists in reading order, the QR code as a figure
 * with its address, the signature boxes as artifacts) so that a screen reader reads it whole.
 */
export async function attestationPdf(document: AttestationDocument): Promise<Buffer> {
  const qr = await QRCode.toBuffer(document.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1 });
  const { doc, root, finish } = await taggedPdf({
    title: document.title,
    subject: 'Mandat',
    author: document.issuer,
    margin: MARGIN,
  });
  const setFont = (font: string, size: number) => doc.font(font).fontSize(size).fillColor(INK);
  /** A block of text in an element of `type`, at `x` and `width` (the text column by default). */
  const text = (
    parent: PDFKit.PDFStructureElement,
    type: string,
    s: string,
    font = 'Helvetica',
    size = 10,
    x = MARGIN,
    width = WIDTH,
  ) => parent.add(doc.struct(type, {}, () => setFont(font, size).text(pdfText(s), x, doc.y, { width })));
  /** Starts a new page unless `height` points still fit on this one. */
  const room = (height: number) => {
    if (doc.y + height > BOTTOM) doc.addPage();
  };

  text(root, 'H1', document.title, 'Helvetica-Bold', 18);
  text(root, 'P', document.issuer);
  for (const section of document.sections) {
    const sect = doc.struct('Sect');
    root.add(sect);
    doc.moveDown(0.8);
    room(60);
    text(sect, 'H2', section.heading, 'Helvetica-Bold', 12);
    doc.moveDown(0.2);
    for (const p of section.paragraphs) {
      text(sect, 'P', p);
      doc.moveDown(0.3);
    }
    if (section.items) {
      const list = doc.struct('L');
      sect.add(list);
      setFont('Helvetica', 10).list(section.items.map(pdfText), MARGIN + 8, doc.y, {
        width: WIDTH - 8,
        bulletRadius: 1.5,
        structParent: list,
      });
      list.end();
    }
    sect.end();
  }
  if (document.signatures.length > 0) {
    const [place, person, helper] = document.signatures as [string, string, string];
    const half = WIDTH / 2 - 8;
    const labels = [`Signature de la personne : ${person}`, `Signature de l’aidant : ${helper}`].map(pdfText);
    setFont('Helvetica-Bold', 10);
    // Below the longer label (a long name wraps onto two lines).
    const labelHeight = Math.max(...labels.map((l) => doc.heightOfString(l, { width: half })));
    const sect = doc.struct('Sect');
    root.add(sect);
    doc.moveDown(1);
    setFont('Helvetica', 10);
    room(doc.currentLineHeight(true) * 1.5 + labelHeight + 84);
    text(sect, 'P', place);
    doc.moveDown(0.5);
    const y = doc.y;
    labels.forEach((label, i) => {
      const x = MARGIN + i * (half + 16);
      sect.add(doc.struct('P', {}, () => setFont('Helvetica-Bold', 10).text(label, x, y, { width: half })));
    });
    const top = y + labelHeight + 4;
    doc.markContent('Artifact', { type: 'Layout' });
    doc.rect(MARGIN, top, half, 70).stroke('#4a4a4a');
    doc.rect(MARGIN + half + 16, top, half, 70).stroke('#4a4a4a');
    doc.endMarkedContent();
    sect.end();
    doc.x = MARGIN;
    doc.y = top + 80;
  }
  // The verification block: the QR code, and beside it the address, the fingerprint and the footer.
  const column = WIDTH - QR_SIZE - 14;
  const blockX = MARGIN + QR_SIZE + 14;
  const lines = [document.verifyUrl, `Empreinte SHA-256 : ${document.fingerprint}`, pdfText(document.footer)];
  setFont('Helvetica', 9);
  const blockHeight =
    doc.heightOfString('Vérifier ce mandat', { width: column }) +
    lines.reduce(
      (sum, l) => sum + doc.heightOfString(l, { width: column }) + doc.currentLineHeight(true) * 0.3,
      0,
    );
  doc.moveDown(1);
  room(Math.max(QR_SIZE, blockHeight));
  const sect = doc.struct('Sect');
  root.add(sect);
  const y = doc.y;
  sect.add(
    doc.struct('H2', {}, () =>
      setFont('Helvetica-Bold', 9).text('Vérifier ce mandat', blockX, y, { width: column }),
    ),
  );
  sect.add(
    doc.struct('Figure', { alt: `QR code de la page de vérification : ${document.verifyUrl}` }, () =>
      doc.image(qr, MARGIN, y, { width: QR_SIZE }),
    ),
  );
  for (const l of lines) {
    text(sect, 'P', l, 'Helvetica', 9, blockX, column);
    doc.moveDown(0.3);
  }
  sect.end();
  return finish();
}
