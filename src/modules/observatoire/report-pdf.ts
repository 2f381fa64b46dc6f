import type { Db } from '../../platform/db/database.ts';
import { readImage } from '../../platform/files.ts';
import { formatDay } from '../../platform/paris-time.ts';
import { A4, INK, pdfText, taggedPdf } from '../../platform/pdf.ts';
import { SERVICES, type ServiceAccess } from '../couverture/index.ts';
import type { Breakdown, Shown } from '../statistiques/index.ts';
import { COMPONENT_LABELS, SCORE_COLUMNS, type ScoreColumn } from './ifn-file.ts';
import type { Observation } from './territory-service.ts';
import { ACCESS_LABELS, colourOf, territoryPath } from './territory-views.tsx';

/**
 * The observatory's report for a council: one territory over one period on A4 pages — the
 * index, where help is, the white zones, the helpers' activity (rounded as on the public page)
 * and the table of the communes, with the OPSN's and the collectivité's names and logos, and
 * where the numbers come from.
 *
 * The document is tagged (structure tree, French, title, reading order): headings, paragraphs,
 * lists and tables as a screen reader expects them; the bars and rules are artifacts. Every
 * label wraps within its column and every figure stays inside the page: rows are measured
 * before they are drawn and move to the next page whole.
 */

const decimal = (n: number) =>
  pdfText(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(n));
const whole = (n: number) => pdfText(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(n));
const percent = (n: number) =>
  pdfText(new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 0 }).format(n));
const day = (d: string) => formatDay(d);
const shown = (v: Shown) => (v === 'lt5' ? '< 5' : whole(v));
const orDash = (n: number | null | undefined, format: (n: number) => string) =>
  n === null || n === undefined ? '—' : format(n);

const PAGE_WIDTH = A4.width;
const PAGE_HEIGHT = A4.height;
const MARGIN = 48;
const WIDTH = PAGE_WIDTH - 2 * MARGIN;
const RIGHT = PAGE_WIDTH - MARGIN;
const BOTTOM = PAGE_HEIGHT - MARGIN;
const MUTED = '#4a4a4a';
const RULE = '#b8b8b8';
/** Bar charts: the label column, then the bar, then its value. */
const LABEL_WIDTH = 200;
const BAR_X = MARGIN + LABEL_WIDTH + 10;
const BAR_MAX = 200;
/** White zones listed in the report; the others are on the public page. */
const WHITE_ZONES_SHOWN = 20;

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
type Element = PDFKit.PDFStructureElement;
type Font = 'Helvetica' | 'Helvetica-Bold';
type Align = 'left' | 'right';

/** The document being written, the structure element that receives what comes next. */
class Report {
  constructor(
    readonly doc: Doc,
    readonly root: Element,
  ) {}

  /** Starts a new page unless `height` points still fit on this one. */
  room(height: number): void {
    if (this.doc.y + height > BOTTOM) this.doc.addPage();
  }

  /** Drawing that carries no meaning (bars, rules, repeated table headers). */
  artifact(draw: () => void, type: 'Layout' | 'Pagination' = 'Layout'): void {
    this.doc.markContent('Artifact', { type });
    draw();
    this.doc.endMarkedContent();
  }

  /** An element of `type` holding what `draw` writes, added to `parent` in reading order. */
  tag(parent: Element, type: string, draw: () => void, options: Record<string, unknown> = {}): void {
    parent.add(this.doc.struct(type, options as PDFKit.Mixins.StructureElementOptions, draw));
  }

  font(font: Font, size: number, colour = INK): Doc {
    return this.doc.font(font).fontSize(size).fillColor(colour);
  }

  /** A paragraph across the text width. */
  paragraph(parent: Element, text: string, size = 9.5, colour = INK): void {
    this.font('Helvetica', size);
    this.room(this.doc.currentLineHeight(true) * 2);
    this.tag(parent, 'P', () => {
      this.font('Helvetica', size, colour).text(pdfText(text), MARGIN, this.doc.y, { width: WIDTH });
    });
  }

  /** A section: its heading kept with what follows, then what `fill` adds to it. */
  section(title: string, fill: (section: Element) => void, keep = 70): void {
    const section = this.doc.struct('Sect');
    this.root.add(section);
    this.doc.moveDown(0.8);
    this.room(keep);
    this.tag(section, 'H2', () => {
      this.font('Helvetica-Bold', 12.5).text(pdfText(title), MARGIN, this.doc.y, { width: WIDTH });
    });
    this.doc.moveDown(0.25);
    fill(section);
    section.end();
  }

  subheading(parent: Element, title: string): void {
    this.doc.moveDown(0.4);
    this.font('Helvetica-Bold', 10);
    this.room(this.doc.heightOfString(pdfText(title), { width: WIDTH }) + 30);
    this.tag(parent, 'H3', () => {
      this.font('Helvetica-Bold', 10).text(pdfText(title), MARGIN, this.doc.y, { width: WIDTH });
    });
    this.doc.moveDown(0.15);
  }

  /**
   * Horizontal bars: each row's label wraps within its column, the bar is an artifact and the
   * value follows the bar, pulled back left if it would pass the right margin. Tagged as a
   * table of label and value.
   */
  bars(
    parent: Element,
    rows: { label: string; value: number; text: string; colour: string }[],
    max: number,
  ): void {
    const doc = this.doc;
    const table = doc.struct('Table');
    parent.add(table);
    for (const r of rows) {
      const label = pdfText(r.label);
      const value = pdfText(r.text);
      this.font('Helvetica', 9);
      const height = Math.max(doc.heightOfString(label, { width: LABEL_WIDTH }), doc.currentLineHeight(true));
      this.room(height + 4);
      const y = doc.y;
      const length = max > 0 ? (Math.min(Math.max(0, r.value), max) / max) * BAR_MAX : 0;
      this.artifact(() => {
        doc.rect(BAR_X, y + 1, Math.max(length, 0.5), 8.5).fill(r.colour);
      });
      const valueX = Math.min(BAR_X + length + 5, RIGHT - doc.widthOfString(value));
      const row = doc.struct('TR');
      table.add(row);
      this.tag(row, 'TH', () => this.font('Helvetica', 9).text(label, MARGIN, y, { width: LABEL_WIDTH }), {
        scope: 'Row',
      });
      this.tag(row, 'TD', () => this.font('Helvetica', 9).text(value, valueX, y, { lineBreak: false }));
      row.end();
      doc.x = MARGIN;
      doc.y = y + height + 4;
    }
    table.end();
  }

  /**
   * A table with a header row (repeated, as an artifact, on each page it runs onto), the first
   * column as row headers; each cell wraps within its column and a row never splits.
   */
  table(parent: Element, columns: { title: string; width: number; align?: Align }[], rows: string[][]): void {
    const doc = this.doc;
    const padding = 3;
    const size = 8.5;
    const widths = columns.map((c) => c.width - 2 * padding);
    const heightOf = (cells: string[], font: Font) => {
      this.font(font, size);
      return (
        Math.max(...cells.map((c, i) => doc.heightOfString(pdfText(c), { width: widths[i] }))) + 2 * padding
      );
    };
    const draw = (cells: string[], y: number, font: Font, cell: (i: number, text: () => void) => void) => {
      let x = MARGIN;
      cells.forEach((c, i) => {
        const left = x;
        cell(i, () =>
          this.font(font, size).text(pdfText(c), left + padding, y + padding, {
            width: widths[i],
            align: columns[i]?.align ?? 'left',
          }),
        );
        x += columns[i]?.width ?? 0;
      });
    };
    const rule = (y: number, weight: number) =>
      this.artifact(() => {
        doc.moveTo(MARGIN, y).lineTo(RIGHT, y).lineWidth(weight).stroke(RULE);
      });
    const titles = columns.map((c) => c.title);
    const headerHeight = heightOf(titles, 'Helvetica-Bold');
    const tableElement = doc.struct('Table');
    parent.add(tableElement);
    const header = (repeated: boolean) => {
      const y = doc.y;
      if (repeated) this.artifact(() => draw(titles, y, 'Helvetica-Bold', (_, text) => text()), 'Pagination');
      else {
        const head = doc.struct('THead');
        tableElement.add(head);
        const row = doc.struct('TR');
        head.add(row);
        draw(titles, y, 'Helvetica-Bold', (_, text) => this.tag(row, 'TH', text, { scope: 'Column' }));
        row.end();
        head.end();
      }
      rule(y + headerHeight, 0.8);
      doc.y = y + headerHeight;
    };
    this.room(headerHeight + (rows[0] ? heightOf(rows[0], 'Helvetica') : 0));
    header(false);
    const body = doc.struct('TBody');
    tableElement.add(body);
    for (const cells of rows) {
      const height = heightOf(cells, 'Helvetica');
      if (doc.y + height > BOTTOM) {
        doc.addPage();
        header(true);
      }
      const y = doc.y;
      const row = doc.struct('TR');
      body.add(row);
      draw(cells, y, 'Helvetica', (i, text) =>
        i === 0 ? this.tag(row, 'TH', text, { scope: 'Row' }) : this.tag(row, 'TD', text),
      );
      row.end();
      rule(y + height, 0.3);
      doc.y = y + height;
    }
    body.end();
    tableElement.end();
    doc.x = MARGIN;
  }
}

function header(
  r: Report,
  o: Observation,
  names: { opsn: string; collectivite: string | null },
  logos: { image: Buffer; alt: string }[],
): void {
  const doc = r.doc;
  let x = MARGIN;
  for (const l of logos) {
    const left = x;
    r.tag(r.root, 'Figure', () => doc.image(l.image, left, MARGIN, { fit: [90, 40] }), {
      alt: pdfText(l.alt),
    });
    x += 100;
  }
  doc.y = logos.length > 0 ? MARGIN + 48 : MARGIN;
  r.paragraph(r.root, names.opsn + (names.collectivite ? ` · ${names.collectivite}` : ''), 9, MUTED);
  doc.moveDown(0.2);
  r.tag(r.root, 'H1', () =>
    r
      .font('Helvetica-Bold', 17)
      .text(pdfText(`Rapport de l’observatoire : ${o.territory.name}`), MARGIN, doc.y, { width: WIDTH }),
  );
  r.paragraph(
    r.root,
    `Du ${day(o.settings.period.du)} au ${day(o.settings.period.au)} · édité le ${day(new Date().toISOString().slice(0, 10))}`,
    10,
    MUTED,
  );
}

function indexPart(r: Report, o: Observation): void {
  r.section('Indice de fragilité numérique', (section) => {
    const scores: Record<ScoreColumn, number> | null = o.index?.scores ?? o.weighted;
    if (!scores) {
      r.paragraph(
        section,
        o.indexImported
          ? 'L’indice importé ne couvre pas ce territoire.'
          : 'Aucun indice de fragilité numérique n’est encore importé dans Relais.',
      );
      return;
    }
    r.paragraph(
      section,
      'L’indice de la MedNum note de 1 à 10 l’exposition d’un territoire à l’exclusion numérique (10 : la plus forte), par la moyenne de cinq critères.',
    );
    r.doc.moveDown(0.3);
    r.bars(
      section,
      SCORE_COLUMNS.map((column) => ({
        label: COMPONENT_LABELS[column],
        value: scores[column],
        text: decimal(scores[column]),
        colour: colourOf(scores[column]),
      })),
      10,
    );
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
      r.paragraph(section, lines.join(' '));
    } else if (o.weighted) {
      r.paragraph(
        section,
        `Moyenne des communes pondérée par leur population (${whole(o.weighted.population)} habitants, millésime ${o.weighted.year}), calculée par Relais.`,
      );
    }
  });
}

function coveragePart(r: Report, o: Observation): void {
  const t = o.coverage.totals;
  r.section('Où trouver de l’aide', (section) => {
    r.paragraph(
      section,
      `${whole(t.places)} lieu(x) publié(s) pour ${whole(t.population)} habitants, soit ${orDash(t.placesPer10k, decimal)} pour 10 000 habitants. « À proximité » : un lieu à moins de ${whole(o.settings.radiusKm)} km du centre de la commune.`,
    );
    r.doc.moveDown(0.4);
    const single = o.coverage.communes.length === 1 ? o.coverage.communes[0] : undefined;
    if (single) {
      r.subheading(section, `Services d’aide pour les habitants de ${single.name}`);
      r.table(
        section,
        [
          { title: 'Service', width: 300 },
          { title: 'Où le trouver', width: WIDTH - 300 },
        ],
        SERVICES.map((s) => [s, ACCESS_LABELS[single.services[s]]]),
      );
      return;
    }
    r.subheading(section, 'Part de la population pour qui chaque service est proposé');
    const access: ServiceAccess[] = ['commune', 'proche', 'aucun', 'inconnu'];
    const serviceWidth = WIDTH - access.length * 72;
    r.table(
      section,
      [
        { title: 'Service', width: serviceWidth },
        ...access.map((a) => ({ title: ACCESS_LABELS[a], width: 72, align: 'right' as const })),
      ],
      SERVICES.map((s) => [s, ...access.map((a) => percent(t.shares[s][a]))]),
    );
  });
}

function whiteZonesPart(r: Report, o: Observation): void {
  r.section('Zones blanches', (section) => {
    const rule = `communes d’indice ${decimal(o.settings.threshold)} ou plus sans lieu d’aide publié dans la commune ni à moins de ${whole(o.settings.radiusKm)} km`;
    if (o.whiteZones.length === 0) {
      r.paragraph(
        section,
        o.communes.size === 0 ? `Sans indice importé, pas de calcul (${rule}).` : `Aucune (${rule}).`,
      );
      return;
    }
    r.paragraph(section, `${whole(o.whiteZones.length)} commune(s) (${rule}), les plus fragiles d’abord :`);
    r.doc.moveDown(0.3);
    r.table(
      section,
      [
        { title: 'Commune', width: 215 },
        { title: 'Population', width: 80, align: 'right' },
        { title: 'Indice', width: 60, align: 'right' },
        { title: 'Lieu le plus proche', width: WIDTH - 355 },
      ],
      o.whiteZones
        .slice(0, WHITE_ZONES_SHOWN)
        .map((z) => [
          `${z.name} (${z.code})`,
          orDash(z.population, whole),
          decimal(z.index),
          z.nearestKm === null
            ? z.position === 'inconnue'
              ? 'position de la commune inconnue'
              : 'aucun lieu publié'
            : `à ${decimal(z.nearestKm)} km`,
        ]),
    );
    if (o.whiteZones.length > WHITE_ZONES_SHOWN) {
      r.doc.moveDown(0.3);
      r.paragraph(
        section,
        `… et ${whole(o.whiteZones.length - WHITE_ZONES_SHOWN)} autre(s), sur la page en ligne.`,
        9,
      );
    }
  });
}

function breakdownPart(r: Report, section: Element, b: Breakdown | undefined, limit: number): void {
  if (!b) return;
  const rows = b.rows.filter((row) => row.value !== 0).slice(0, limit);
  if (rows.length === 0) return;
  r.subheading(section, b.title);
  const max = Math.max(1, ...rows.map((row) => row.value));
  r.bars(
    section,
    rows.map((row) => ({ label: row.label, value: row.value, text: whole(row.value), colour: '#6a51a3' })),
    max,
  );
}

function activityPart(r: Report, o: Observation): void {
  r.section(`Activité des médiateurs : ${o.activityOf}`, (section) => {
    const s = o.activity.summary;
    r.paragraph(
      section,
      `${whole(s.activites)} activité(s), ${shown(s.accompagnements)} accompagnement(s), ${shown(s.personnes)} personne(s) enregistrée(s) dont ${shown(s.nouvelles)} nouvelle(s). Mois complets ; chaque nombre du mois est arrondi au multiple de 5 le plus proche et ceux d’une période en sont la somme ; personnes comptées sur la période, arrondies à 5 (« < 5 » de 1 à 4).`,
    );
    const find = (id: string) => [...o.activity.activity, ...o.activity.people].find((b) => b.id === id);
    breakdownPart(r, section, find('thematique'), 6);
    breakdownPart(r, section, find('demarche'), 5);
    breakdownPart(r, section, find('age'), 7);
  });
}

function communesPart(r: Report, o: Observation): void {
  if (o.coverage.communes.length < 2) return;
  r.section('Les communes du territoire', (section) => {
    r.paragraph(section, 'Indice et lieux publiés de chaque commune.', 9);
    r.doc.moveDown(0.3);
    r.table(
      section,
      [
        { title: 'Commune', width: 185 },
        { title: 'Population', width: 75, align: 'right' },
        { title: 'Indice (1 à 10)', width: 75, align: 'right' },
        { title: 'Lieux publiés', width: 70, align: 'right' },
        { title: 'Lieux pour 10 000 habitants', width: WIDTH - 405, align: 'right' },
      ],
      o.coverage.communes.map((c) => [
        `${c.name} (${c.code})`,
        orDash(c.population, whole),
        orDash(o.communes.get(c.code)?.total, decimal),
        whole(c.places),
        orDash(c.placesPer10k, decimal),
      ]),
    );
  });
}

function sources(r: Report, o: Observation, publicUrl: string): void {
  r.section(
    'Sources',
    (section) =>
      r.paragraph(
        section,
        `Indice de fragilité numérique : MedNum${o.index ? `, millésime ${o.index.vintage.year}` : o.weighted ? `, millésime ${o.weighted.year}` : ''}. Lieux : annuaire Relais (standard national des lieux de médiation numérique), lieux publiés à la date d’édition. Activité : comptes rendus des médiateurs enregistrés dans Relais. Page en ligne, mise à jour en continu : ${publicUrl}${territoryPath(o.territory)}`,
        8.5,
      ),
    40,
  );
}

/** The report as PDF bytes. */
export async function reportPdf(
  db: Db,
  o: Observation,
  who: { opsnName: string; opsnLogoId: string | null; publicUrl?: string },
): Promise<Buffer> {
  const collectivite = o.territory.collectivite;
  const collectiviteName = collectivite ? (collectivite.display_name ?? collectivite.name) : null;
  const logos = (
    await Promise.all([
      logo(db, who.opsnLogoId).then((image) => image && { image, alt: `Logo : ${who.opsnName}` }),
      logo(db, collectivite?.logo_file_id ?? null).then(
        (image) => image && { image, alt: `Logo : ${collectiviteName ?? ''}` },
      ),
    ])
  ).filter((l): l is { image: Buffer; alt: string } => l !== null);
  const { doc, root, finish } = await taggedPdf({
    title: `Rapport de l’observatoire : ${o.territory.name}`,
    author: who.opsnName,
    subject: 'Observatoire de l’inclusion numérique',
    margin: MARGIN,
  });
  const r = new Report(doc, root);
  header(r, o, { opsn: who.opsnName, collectivite: collectiviteName }, logos);
  indexPart(r, o);
  coveragePart(r, o);
  whiteZonesPart(r, o);
  activityPart(r, o);
  communesPart(r, o);
  sources(r, o, who.publicUrl ?? '');
  return finish();
}
