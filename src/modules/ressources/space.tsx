import type { ActivityReportSection, PersonRecordSection, SpaceSection } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import { participationHistory } from '../activites/index.ts';
import { helperCollectivites } from '../mediateurs/index.ts';
import { countOpenReports } from './feedback.ts';
import { suggestions } from './search.ts';
import { mayWrite } from './service.ts';

/** For the library's editors (coordinators, administrators): drafts, reviews due, reports to handle. */
export const editorBlock: SpaceSection = async ({ db }, actor) => {
  if (!mayWrite(actor)) return null;
  const today = parisToday();
  const mine = await db
    .selectFrom('ressource')
    .select((eb) => [
      eb.fn.countAll<string>().as('total'),
      eb.fn.count<string>('id').filterWhere('status', '=', 'brouillon').as('drafts'),
      eb.fn.count<string>('id').filterWhere('review_on', '<', today).as('due'),
    ])
    .where('created_by', '=', actor.userId)
    .executeTakeFirstOrThrow();
  const open = await countOpenReports(db, actor);
  const due = Number(mine.due);
  return {
    title: 'Ressources',
    rank: 60,
    ...(due > 0
      ? { text: `${due} de vos ressources ont passé leur date de vérification : relisez-les.` }
      : {}),
    facts: [
      `${Number(mine.total)} ressource${Number(mine.total) > 1 ? 's' : ''} écrite${Number(mine.total) > 1 ? 's' : ''}, dont ${Number(mine.drafts)} en brouillon`,
      `${open} signalement${open > 1 ? 's' : ''} à traiter`,
    ],
    action: { href: '/ressources/nouvelle', label: 'Écrire une ressource' },
    links: [
      { href: '/ressources/mes-ressources', label: 'Mes ressources' },
      { href: '/ressources/moderation', label: 'Modération des ressources' },
      { href: '/ressources/recherches-sans-resultat', label: 'Recherches sans résultat' },
      { href: '/ressources/suivis', label: 'Mes suivis' },
      { href: '/ressources/import', label: 'Importer des ressources (JSON)' },
    ],
  };
};

/** For helpers: the library and their collections. */
export const readerBlock: SpaceSection = async (_ctx, actor) => {
  if (mayWrite(actor) || helperCollectivites(actor).length === 0) return null;
  return {
    title: 'Ressources',
    rank: 70,
    text: 'Fiches, guides et outils du territoire pour vos accompagnements et vos ateliers.',
    links: [
      { href: '/ressources', label: 'Chercher une ressource' },
      { href: '/ressources/collections', label: 'Mes collections' },
      { href: '/ressources/suivis', label: 'Mes suivis' },
    ],
  };
};

/** On the record of a person a helper accompanies: resources on the themes of their reports. */
export const personResources: PersonRecordSection = async ({ db }, helper, person) => {
  const history = await participationHistory(db, person.id);
  const counts = new Map<string, number>();
  for (const h of history.slice(0, 50))
    for (const t of h.thematiques ?? []) counts.set(t, (counts.get(t) ?? 0) + 1);
  const themes = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([t]) => t);
  const hits = await suggestions(db, helper, themes, 3);
  return hits.length === 0 ? null : (
    <SuggestedResources lead="Ressources sur les thèmes de ses accompagnements :" hits={hits} />
  );
};

/** On a helper's report: resources on its themes, and the page with more of them. */
export const reportResources: ActivityReportSection = async ({ db }, helper, report) => {
  const hits = await suggestions(db, helper, report.thematiques, 3);
  if (hits.length === 0) return null;
  return (
    <SuggestedResources lead="Ressources sur les thématiques de cet accompagnement :" hits={hits}>
      <p>
        <a href={`/ressources/suggestions?activite=${report.id}`}>Toutes les ressources suggérées</a>
      </p>
    </SuggestedResources>
  );
};

function SuggestedResources(props: {
  lead: string;
  hits: readonly { id: string; titre: string }[];
  children?: JSX.Element;
}): JSX.Element {
  const more = props.children ?? '';
  return (
    <div class="resource-suggestions">
      <p safe>{props.lead}</p>
      <ul>
        {props.hits.map((h) => (
          <li>
            <a href={`/ressources/${h.id}`} safe>
              {h.titre}
            </a>
          </li>
        ))}
      </ul>
      {more}
    </div>
  );
}
