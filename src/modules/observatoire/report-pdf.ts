import type { Db } from '../../platform/db/database.ts';
import { readImage } from '../../platform/files.ts';
import { SERVICES } from '../couverture/index.ts';
import type { Breakdown, Shown } from '../statistiques/index.ts';
import { COMPONENT_LABELS, SCORE_COLUMNS, type ScoreColumn } from './ifn-file.ts';
import type { Observation } from './territory-service.ts';
import { ACCESS_LABELS, colourOf, territoryPath } from './territory-views.tsx';

/**
 * The observatory's report for a council: one territory over one period on two A4 pages —
 * the index, where help is, the white zones and the helpers' activity (rounded as on the public
 * page), with the OPSN's and the collectivité's names and logos, and where the numbers come from.
 */

// The standard PDF fonts know no narrow no-break space (what French number formats put in).
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');
const decimal = (n: number) =>
  plain(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(n));
const whole = (n: number) => plain(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(n));
const percent = (n: number) =>
  plain(new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 }).format(n));
const day = (d: string) =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
const shown = (v: Shown) => (v === 'lt5' ? '< 5' : whole(v));

const MARGIN = 48;
const WIDTH = 595.28 - 2 * MARGIN;
const INK = '#1b1b1b';
const MUTED = '#4a4a4a';

/**
 * A logo as a PNG pdfkit can draw, decoded again: a stored file that does not decode (one
 * uploaded before uploads were decoded) leaves the report without that logo, never broken.
 */
async function logo(db: Db, id: string | null): Promise<Buffer | null> {
  if (!id) return null;
  const file = await db.selectFrom('stored_file').select('bytes').where('id', '=', id).executeTakeFirst();
  const image = file ? await readImage(file.bytes) : null;
  return image?.ok ? image.bytes : null;
}

type Doc = PDFKit.PDFDocument;

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12.5).fillColor(INK).text(text, MARGIN);
  doc.moveDown(0.2);
}

function paragraph(doc: Doc, text: string, size = 9.5): void {
  doc.font('Helvetica').fontSize(size).fillColor(INK).text(plain(text), MARGIN, doc.y, { width: WIDTH });
}

/** A label, a bar out of `max` and the value, on one line. */
function bar(doc: Doc, label: string, value: number, max: number, valueText: string, colour: string): void {
  const y = doc.y;
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(INK)
    .text(plain(label), MARGIN, y, { width: 220, lineBreak: false, ellipsis: true });
  const length = max > 0 ? (Math.max(0, value) / max) * 200 : 0;
  doc.rect(MARGIN + 228, y + 1, Math.max(length, 0.5), 9).fill(colour);
  doc.fillColor(INK).text(valueText, MARGIN + 234 + length, y, { lineBreak: false });
  doc.text('', MARGIN, y + 14);
}

function indexPart(doc: Doc, o: Observation): void {
  heading(doc, 'Indice de fragilité numérique');
  const scores: Record<ScoreColumn, number> | null = o.index?.scores ?? o.weighted;
  if (!scores) {
    paragraph(
      doc,
      o.indexImported
        ? 'L’indice importé ne couvre pas ce territoire.'
        : 'Aucun indice de fragilité numérique n’est encore importé dans Relais.',
    );
    return;
  }
  for (const column of SCORE_COLUMNS)
    bar(doc, COMPONENT_LABELS[column], scores[column], 10, decimal(scores[column]), colourOf(scores[column]));
  if (o.index) {
    const n = o.index.national;
    const lines = [
      `Millésime ${o.index.vintage.year}. Parmi les territoires de France : ${whole(n.rank)}e sur ${whole(n.outOf)} (1er : le plus fragile), plus fragile que ${decimal(n.percentile)} % des autres.`,
    ];
    const d = o.index.withinDepartement;
    if (d && o.index.departement)
      lines.push(
        `Dans le département ${o.index.departement.name ?? o.index.departement.code} : ${whole(d.rank)}e sur ${whole(d.outOf)}.`,
      );
    if (o.index.change)
      lines.push(
        `Depuis ${o.index.change.year}, l’indice total a évolué de ${o.index.change.delta.total > 0 ? '+' : ''}${decimal(o.index.change.delta.total)}.`,
      );
    paragraph(doc, lines.join(' '));
  } else if (o.weighted) {
    paragraph(
      doc,
      `Moyenne des communes pondérée par leur population (${whole(o.weighted.population)} habitants, millésime ${o.weighted.year}), calculée par Relais.`,
    );
  }
}

function coveragePart(doc: Doc, o: Observation): void {
  const t = o.coverage.totals;
  heading(doc, 'Où trouver de l’aide');
  paragraph(
    doc,
    `${whole(t.places)} lieu(x) publié(s) pour ${whole(t.population)} habitants, soit ${t.placesPer10k === null ? '—' : decimal(t.placesPer10k)} pour 10 000 habitants. Part de la population disposant de chaque service dans sa commune, ou à moins de ${whole(o.settings.radiusKm)} km :`,
  );
  doc.moveDown(0.3);
  for (const service of SERVICES) {
    const share = t.shares[service];
    const near = share.commune + share.proche;
    bar(
      doc,
      service,
      near,
      1,
      `${percent(share.commune)} dans la commune, ${percent(share.proche)} à proximité`,
      '#3b6fb6',
    );
  }
  if (o.coverage.communes.length === 1) {
    const c = o.coverage.communes[0]!;
    const missing = SERVICES.filter((s) => c.services[s] === 'aucun');
    if (missing.length > 0) paragraph(doc, `${ACCESS_LABELS.aucun} pour ${c.name} : ${missing.join(' ; ')}.`);
  }
}

function whiteZonesPart(doc: Doc, o: Observation): void {
  heading(doc, 'Zones blanches');
  const rule = `communes d’indice ${decimal(o.settings.threshold)} ou plus sans lieu d’aide publié à moins de ${whole(o.settings.radiusKm)} km`;
  if (o.whiteZones.length === 0) {
    paragraph(
      doc,
      o.communes.size === 0 ? `Sans indice importé, pas de calcul (${rule}).` : `Aucune (${rule}).`,
    );
    return;
  }
  paragraph(doc, `${whole(o.whiteZones.length)} commune(s) (${rule}), les plus fragiles d’abord :`);
  const listed = o.whiteZones
    .slice(0, 8)
    .map(
      (z) =>
        `${z.name} (${z.code}) : indice ${decimal(z.index)}, ${z.population === null ? 'population inconnue' : `${whole(z.population)} hab.`}${z.nearestKm === null ? '' : `, lieu le plus proche à ${decimal(z.nearestKm)} km`}`,
    );
  if (o.whiteZones.length > 8)
    listed.push(`… et ${whole(o.whiteZones.length - 8)} autre(s), sur la page en ligne.`);
  doc
    .font('Helvetica')
    .fontSize(9)
    .list(listed.map(plain), MARGIN + 8, doc.y, { width: WIDTH - 8 });
}

function breakdownPart(doc: Doc, b: Breakdown | undefined, limit: number): void {
  if (!b) return;
  doc.moveDown(0.3).font('Helvetica-Bold').fontSize(9.5).text(plain(b.title), MARGIN);
  const rows = b.rows.filter((r) => r.value !== 0).slice(0, limit);
  const max = Math.max(1, ...rows.map((r) => r.value));
  for (const r of rows) bar(doc, r.label, r.value, max, whole(r.value), '#6a51a3');
}

function activityPart(doc: Doc, o: Observation): void {
  heading(doc, `Activité des médiateurs : ${o.activityOf}`);
  const s = o.activity.summary;
  paragraph(
    doc,
    `${whole(s.activites)} activité(s), ${shown(s.accompagnements)} accompagnement(s), ${shown(s.personnes)} personne(s) enregistrée(s) dont ${shown(s.nouvelles)} nouvelle(s). Mois complets ; chaque nombre du mois est arrondi au multiple de 5 le plus proche et ceux d’une période en sont la somme ; personnes comptées sur la période, arrondies à 5 (« < 5 » de 1 à 4).`,
  );
  const find = (id: string) => [...o.activity.activity, ...o.activity.people].find((b) => b.id === id);
  breakdownPart(doc, find('thematique'), 6);
  breakdownPart(doc, find('demarche'), 5);
  breakdownPart(doc, find('age'), 7);
}

function header(
  doc: Doc,
  o: Observation,
  names: { opsn: string; collectivite: string | null },
  logos: Buffer[],
): void {
  let x = MARGIN;
  for (const image of logos) {
    doc.image(image, x, MARGIN, { fit: [90, 40] });
    x += 100;
  }
  const top = logos.length > 0 ? MARGIN + 48 : MARGIN;
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(MUTED)
    .text(plain(names.opsn + (names.collectivite ? ` · ${names.collectivite}` : '')), MARGIN, top);
  doc
    .font('Helvetica-Bold')
    .fontSize(17)
    .fillColor(INK)
    .text(plain(`Rapport de l’observatoire : ${o.territory.name}`), MARGIN, doc.y + 2, { width: WIDTH });
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(MUTED)
    .text(
      plain(
        `Du ${day(o.settings.period.du)} au ${day(o.settings.period.au)} · édité le ${day(new Date().toISOString().slice(0, 10))}`,
      ),
    );
}

function sources(doc: Doc, o: Observation, publicUrl: string): void {
  heading(doc, 'Sources');
  paragraph(
    doc,
    `Indice de fragilité numérique : MedNum${o.index ? `, millésime ${o.index.vintage.year}` : o.weighted ? `, millésime ${o.weighted.year}` : ''}. Lieux : annuaire Relais (standard national des lieux de médiation numérique), lieux publiés à la date d’édition. Activité : comptes rendus des médiateurs enregistrés dans Relais. Page en ligne, mise à jour en continu : ${publicUrl}${territoryPath(o.territory)}`,
    8.5,
  );
}

/** The report as PDF bytes. */
export async function reportPdf(
  db: Db,
  o: Observation,
  who: { opsnName: string; opsnLogoId: string | null; publicUrl?: string },
): Promise<Buffer> {
  const collectivite = o.territory.collectivite;
  const logos = (
    await Promise.all([logo(db, who.opsnLogoId), logo(db, collectivite?.logo_file_id ?? null)])
  ).filter((b): b is Buffer => b !== null);
  // Loaded on first use: most processes never write a PDF.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: plain(`Rapport de l’observatoire : ${o.territory.name}`),
      Author: plain(who.opsnName),
      Subject: 'Observatoire de l’inclusion numérique',
    },
    lang: 'fr-FR',
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  header(
    doc,
    o,
    {
      opsn: who.opsnName,
      collectivite: collectivite ? (collectivite.display_name ?? collectivite.name) : null,
    },
    logos,
  );
  indexPart(doc, o);
  coveragePart(doc, o);
  whiteZonesPart(doc, o);
  doc.addPage();
  activityPart(doc, o);
  sources(doc, o, who.publicUrl ?? '');
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
