/**
 * Generated activity reports for the activities' part of `npm run bench`: helpers, the people
 * they follow, and reports with their participations, written straight in SQL (`insert … select
 * … from generate_series`) with the national vocabulary's codes in realistic proportions.
 *
 * Every random draw happens once per row in a materialized CTE (PostgreSQL neither inlines nor
 * re-evaluates a CTE with volatile functions), so that the columns drawn from it agree.
 */
import { type RawBuilder, sql } from 'kysely';
import { pickSql, quote, type Weighted } from './stats.ts';

const pick = (column: string, weights: Weighted) => sql.raw<string>(pickSql(column, weights));

// Proportions in the spirit of the national activity reports (individual help mostly, the
// procedures' theme first, older people and women more often).
const THEMES: Weighted = [
  ['aide_aux_demarches_administratives', 34],
  ['prendre_en_main_du_materiel', 12],
  ['email', 10],
  ['navigation_sur_internet', 8],
  ['securite_numerique', 6],
  ['contenus_numeriques', 6],
  ['sante', 5],
  ['banque_et_achats_en_ligne', 5],
  ['bureautique', 4],
  ['insertion_professionnelle', 4],
  ['maintenance_de_materiel', 3],
  ['reseaux_sociaux', 3],
  ['diagnostic_numerique', 3],
  ['intelligence_artificielle', 2],
  ['parentalite', 1],
  ['scolarite_et_numerique', 1],
  ['culture_numerique', 1],
  ['creer_avec_le_numerique', 1],
  ['entrepreneuriat', 1],
];
const PROCEDURES: Weighted = [
  ['social_sante', 20],
  ['argent_impots', 16],
  ['travail_formation', 14],
  ['papiers_elections_citoyennete', 14],
  ['logement', 10],
  ['famille_scolarite', 8],
  ['transports_mobilite', 6],
  ['etrangers_europe', 6],
  ['justice', 3],
  ['loisirs_sports_culture', 2],
  ['associations', 1],
];
const EQUIPMENT: Weighted = [
  ['telephone', 40],
  ['ordinateur', 35],
  ['aucun', 12],
  ['tablette', 8],
  ['autre', 5],
];
const INDIVIDUAL_PLACE: Weighted = [
  ['lieu_activite', 70],
  ['distance', 15],
  ['domicile', 8],
  ['autre_lieu', 7],
];
const WORKSHOP_PLACE: Weighted = [
  ['lieu_activite', 90],
  ['autre_lieu', 10],
];
const INDIVIDUAL_MINUTES: Weighted = [
  ['15', 10],
  ['30', 30],
  ['45', 25],
  ['60', 20],
  ['90', 10],
  ['120', 5],
];
const WORKSHOP_MINUTES: Weighted = [
  ['60', 20],
  ['90', 30],
  ['120', 35],
  ['180', 15],
];
const AUTONOMY: Weighted = [
  ['entierement_accompagne', 45],
  ['partiellement_autonome', 40],
  ['autonome', 15],
];
const LEVELS: Weighted = [
  ['debutant', 50],
  ['intermediaire', 35],
  ['avance', 15],
];
const WORKSHOP_TITLES: Weighted = [
  ['Découvrir la messagerie électronique', 1],
  ['Premiers pas sur le smartphone', 1],
  ['Se protéger des arnaques en ligne', 1],
  ['Créer son espace France Travail', 1],
  ['Ameli, Doctolib : la santé en ligne', 1],
  ['Ranger ses photos et ses documents', 1],
  ['Le traitement de texte pour un CV', 1],
  ['Parler avec une intelligence artificielle', 1],
  ['Suivre la scolarité de ses enfants (Pronote)', 1],
];
const ORIENTATIONS: Weighted = [
  ['administration', 30],
  ['france_services', 25],
  ['aide_sociale', 15],
  ['mediation_numerique', 10],
  ['operateur_ou_organisme_en_charge', 10],
  ['insertion_professionnelle', 5],
  ['autre', 5],
];
const GENDERS: Weighted = [
  ['feminin', 55],
  ['masculin', 40],
  ['non_communique', 5],
];
const AGE_BANDS: Weighted = [
  ['plus_70', 16],
  ['de_60_a_69', 20],
  ['de_40_a_59', 25],
  ['de_25_a_39', 16],
  ['de_18_a_24', 7],
  ['de_12_a_17', 4],
  ['moins_12', 2],
  ['non_communique', 10],
];
const STATUSES: Weighted = [
  ['retraite', 35],
  ['sans_emploi', 25],
  ['en_emploi', 20],
  ['scolarise', 8],
  ['non_communique', 12],
];
const FIRST_NAMES = ['Jeanne', 'Mohamed', 'Lucie', 'Ahmed', 'Monique', 'Kévin', 'Fatou', 'Gérard', 'Nadia'];
const LAST_NAMES = [
  'Martin',
  'Benali',
  'Bernard',
  'Haddad',
  'Dubois',
  'Lefebvre',
  'Diallo',
  'Moreau',
  'Roux',
];

/** The bench's helpers: one row each, with their collectivité's commune and a place of theirs (if any). */
export const HELPER_TABLE = sql`create table bench_helper (
  h integer primary key,
  user_id uuid not null,
  collectivite_id integer not null,
  commune text not null,
  lieu_id uuid,
  lieu_commune text
)`;

/** How many of the helpers work in each demo collectivité (by INSEE code): 50 in all. */
export const HELPERS_BY_COMMUNE: Record<string, number> = {
  '69266': 10, // Villeurbanne
  '69259': 8, // Vénissieux
  '69256': 7, // Vaulx-en-Velin
  '69029': 5, // Bron
  '69034': 4, // Caluire-et-Cuire
  '69286': 5, // Rillieux-la-Pape
  '42207': 6,
  '42187': 5,
};

/** The stable id of the `index`th generated person (participations point at people by it). */
const personId = (index: RawBuilder<unknown>) => sql`md5('bench-b-' || (${index})::text)::uuid`;

const array = (values: string[]) => sql.raw(`array[${values.map(quote).join(', ')}]`);

/** `perHelper` people for each helper, in the helper's collectivité, born 1935 to 2013. */
export function beneficiariesSql(
  perHelper: number,
  thisYear: number,
  communes: string[],
): RawBuilder<unknown> {
  const index = sql`h.h * ${perHelper}::int + k`;
  return sql`insert into beneficiaire (id, collectivite_id, created_by, prenom, nom, telephone,
      annee_naissance, commune_insee, genre, statut, created_at, updated_at)
    select ${personId(index)}, collectivite_id, user_id,
      (${array(FIRST_NAMES)})[1 + floor(r1 * ${FIRST_NAMES.length})::int],
      (${array(LAST_NAMES)})[1 + floor(r2 * ${LAST_NAMES.length})::int] || ' ' || k::text,
      case when r3 < 0.7 then '06' || lpad(floor(r4 * 1e8)::bigint::text, 8, '0') end,
      case when r5 < 0.1 then null else ${thisYear}::int - 12 - floor(pow(r6, 0.8) * 78)::int end,
      case when r7 < 0.75 then commune when r7 < 0.92
        then (${array(communes)})[1 + floor(r8 * ${communes.length})::int] end,
      ${pick('r9', GENDERS)}, ${pick('r10', STATUSES)},
      now() - r4 * interval '1000 days', now()
    from (select h.*, k, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6,
                 random() r7, random() r8, random() r9, random() r10
          from bench_helper h cross join generate_series(0, ${perHelper}::int - 1) k offset 0) h`;
}

/** The age band of a birth year on a date, as `trancheAge` computes it. */
const AGE_BAND_SQL = (year: string, date: string) => `(case when ${year} is null then 'non_communique'
  else (case when extract(year from ${date})::int - ${year} < 12 then 'moins_12'
    when extract(year from ${date})::int - ${year} < 18 then 'de_12_a_17'
    when extract(year from ${date})::int - ${year} < 25 then 'de_18_a_24'
    when extract(year from ${date})::int - ${year} < 40 then 'de_25_a_39'
    when extract(year from ${date})::int - ${year} < 60 then 'de_40_a_59'
    when extract(year from ${date})::int - ${year} < 70 then 'de_60_a_69'
    else 'plus_70' end) end)`;

export type GenerationShape = {
  /** Helpers in bench_helper. */
  helpers: number;
  /** People each helper follows (beneficiariesSql's `perHelper`). */
  perHelper: number;
  /** The last day of activity (YYYY-MM-DD), and how many days before it the reports go back. */
  today: string;
  days: number;
  communes: string[];
  /** Activities of the load: the n-th of them falls at the n-th quantile of the dates. */
  activities: number;
  /**
   * `chronological`: activities and participations written in the order of their dates, as an
   * instance writes them day after day (a week's reports sit on a few hundred pages of the
   * table, not one page each). A kept database generated otherwise is made again.
   */
  layout: 'chronological';
};

/**
 * Activities numbered `from` to `to` and their participations, in one statement: 85 %
 * individual help (one person, a followed one 60 % of the time), 15 % workshops (3 to 12
 * people, 30 % followed ones); busy helpers record more; more reports recently than three
 * years ago; weekends moved to the Friday before. The n-th activity of the load falls at
 * the n-th quantile of that distribution of dates, so that the rows are written in the order
 * of their dates (numbers past the load's start again from its first day).
 */
export function activitiesSql(from: number, to: number, shape: GenerationShape): RawBuilder<unknown> {
  const { helpers, perHelper, today, days, communes, activities } = shape;
  // From just below 1 (the oldest day) for the first activity to just above 0 (today) for the last.
  const quantile = sql`(${activities}::int - mod(s.g - 1, ${activities}::int) - 0.5) / ${activities}::float8`;
  const draws = Array.from({ length: 16 }, (_, i) => `random() r${i}`).join(', ');
  const themes = `array(select distinct t from unnest(array[${pickSql('r5', THEMES)},
      case when r7 < 0.45 then ${pickSql('r6', THEMES)} end,
      case when r7 < 0.12 then ${pickSql('r8', THEMES)} end]) t where t is not null order by t)`;
  return sql`with src as materialized (
      select g, ${sql.raw(draws)} from generate_series(${from}::int, ${to}::int) g
    ),
    a0 as materialized (
      select s.*, h.user_id, h.collectivite_id, h.commune, h.lieu_id as helper_lieu, h.lieu_commune,
        s.r1 < 0.85 as individuel,
        ${today}::date - floor(pow(${quantile}, 1.15) * ${days}::int)::int as d0,
        case when s.r1 < 0.85 then ${pick('s.r3', INDIVIDUAL_PLACE)} else ${pick('s.r3', WORKSHOP_PLACE)} end as canal0,
        ${sql.raw(themes)} as thematiques
      from src s join bench_helper h
        on h.h = least(${helpers}::int - 1, floor(pow(s.r0, 1.4) * ${helpers}::int)::int)
    ),
    a1 as (
      select a0.*,
        d0 - (case extract(isodow from d0) when 6 then 1 when 7 then 2 else 0 end)::int as d,
        case when canal0 = 'lieu_activite' and helper_lieu is null then 'autre_lieu' else canal0 end as canal
      from a0
    ),
    ins as (
      insert into activite (collectivite_id, mediateur_id, type, date, duree_min, canal, lieu_id, commune_insee,
        materiels, thematiques, demarches, autonomie, titre, niveau, oriente, orientation, created_at, updated_at)
      select collectivite_id, user_id, case when individuel then 'individuel' else 'collectif' end, d,
        (case when individuel then ${pick('r4', INDIVIDUAL_MINUTES)} else ${pick('r4', WORKSHOP_MINUTES)} end)::int,
        canal,
        case when canal = 'lieu_activite' then helper_lieu end,
        case canal when 'lieu_activite' then lieu_commune when 'distance' then null else commune end,
        array[${pick('r9', EQUIPMENT)}],
        thematiques,
        case when 'aide_aux_demarches_administratives' = any(thematiques) then
          array(select distinct p from unnest(array[${pick('r10', PROCEDURES)},
            case when r11 < 0.2 then ${pick('r12', PROCEDURES)} end]) p where p is not null order by p)
          else '{}'::text[] end,
        case when individuel then ${pick('r13', AUTONOMY)} end,
        case when not individuel then ${pick('r13', WORKSHOP_TITLES)} end,
        case when not individuel then ${pick('r14', LEVELS)} end,
        individuel and r15 < 0.12,
        case when individuel and r15 < 0.12 then ${pick('r14', ORIENTATIONS)} end,
        d + interval '9 hours' + r15 * interval '8 hours', d + interval '9 hours' + r15 * interval '8 hours'
      from a1
      order by g
      returning id, collectivite_id, mediateur_id, type, date
    ),
    parts as materialized (
      select i.id, i.collectivite_id, i.date, i.type, h.h, h.commune,
        random() q1, random() q2, random() q3, random() q4, random() q5, random() q6, random() q7
      from ins i join bench_helper h on h.user_id = i.mediateur_id
      cross join lateral generate_series(1,
        case when i.type = 'individuel' then 1 else 3 + abs(hashtext(i.id::text)) % 10 end) k
    )
    insert into participation (activite_id, beneficiaire_id, collectivite_id, date, genre, tranche_age, statut,
      commune_insee)
    select p.id, b.id, p.collectivite_id, p.date,
      case when b.id is null then ${pick('p.q3', GENDERS)} else coalesce(b.genre, 'non_communique') end,
      case when b.id is null then ${pick('p.q4', AGE_BANDS)}
        else ${sql.raw(AGE_BAND_SQL('b.annee_naissance', 'p.date'))} end,
      case when b.id is null then ${pick('p.q5', STATUSES)} else coalesce(b.statut, 'non_communique') end,
      case when b.id is not null then b.commune_insee when p.q6 < 0.65 then p.commune
        when p.q6 < 0.9 then (${array(communes)})[1 + floor(p.q7 * ${communes.length})::int] end
    from parts p
    left join beneficiaire b on b.id = case
      when p.q1 < (case when p.type = 'individuel' then 0.6 else 0.3 end)
      then ${personId(sql`p.h * ${perHelper}::int + floor(pow(p.q2, 1.5) * ${perHelper}::int)::int`)} end
    order by p.date`;
}
