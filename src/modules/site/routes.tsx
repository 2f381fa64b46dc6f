import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../platform/module.ts';
import { FOOTER_LINKS } from '../../platform/ui/layout.tsx';
import { getOpsn } from '../territoires/index.ts';

/** The pages every public French site owes its visitors. */
export function siteRoutes(app: FastifyInstance, { db, nav, home }: RouteContext): void {
  const crumbs = [{ href: '/', label: 'Accueil' }];
  const operator = async () => {
    const opsn = await getOpsn(db);
    return [opsn?.name ?? 'l’opérateur de ce service', opsn?.contact_email ?? null] as const;
  };

  app.get('/accessibilite', { config: { access: 'public' } }, async (_request, reply) => {
    const [name, email] = await operator();
    return reply.page(
      { title: 'Déclaration d’accessibilité', breadcrumbs: crumbs },
      <>
        <h1>Déclaration d’accessibilité</h1>
        <p>
          <span safe>{name}</span> s’engage à rendre ce service accessible, conformément à l’article 47 de la
          loi n° 2005-102 du 11 février 2005, au référentiel général d’amélioration de l’accessibilité (RGAA
          4).
        </p>
        <h2>État de conformité</h2>
        <p>
          Ce service n’a pas encore fait l’objet d’un audit de conformité : il est donc déclaré{' '}
          <strong>non conforme</strong> au RGAA 4. Il est conçu pour respecter les critères du niveau AA des
          WCAG 2.1 et ses pages sont vérifiées automatiquement à chaque évolution.
        </p>
        <h2>Retour d’information et contact</h2>
        <p>
          Si vous ne pouvez pas accéder à un contenu ou à un service, contactez-nous pour être orienté vers
          une autre solution
          {email ? (
            <>
              {' '}
              :{' '}
              <a href={`mailto:${email}`} safe>
                {email}
              </a>
            </>
          ) : (
            ''
          )}
          .
        </p>
        <h2>Voies de recours</h2>
        <p>
          Si vous nous avez signalé un défaut d’accessibilité sans obtenir de réponse satisfaisante, vous
          pouvez écrire au Défenseur des droits (formulaire en ligne ou courrier gratuit, sans
          affranchissement : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).
        </p>
      </>,
    );
  });

  app.get('/mentions-legales', { config: { access: 'public' } }, async (_request, reply) => {
    const [name] = await operator();
    return reply.page(
      { title: 'Mentions légales', breadcrumbs: crumbs },
      <>
        <h1>Mentions légales</h1>
        <h2>Éditeur</h2>
        <p>
          Ce service est édité par <span safe>{name}</span>, opérateur public de services numériques agissant
          pour ses collectivités membres.
        </p>
        <h2>Logiciel</h2>
        <p>Ce service utilise Relais, logiciel libre d’inclusion numérique.</p>
        <h2>Hébergement</h2>
        <p>Les données sont hébergées en France par l’opérateur ou son prestataire d’hébergement.</p>
      </>,
    );
  });

  app.get('/donnees-personnelles', { config: { access: 'public' } }, async (_request, reply) => {
    const [name, email] = await operator();
    return reply.page(
      { title: 'Données personnelles', breadcrumbs: crumbs },
      <>
        <h1>Données personnelles</h1>
        <p>
          <span safe>{name}</span> est responsable des traitements de données personnelles réalisés dans ce
          service.
        </p>
        <h2>Ce que nous conservons</h2>
        <ul>
          <li>
            Pour les professionnels : nom, adresse e-mail, rôles, et les sessions de connexion (12 heures au
            plus).
          </li>
          <li>Pour les visiteurs : aucune donnée personnelle, aucun cookie de mesure d’audience.</li>
        </ul>
        <h2>Cookies</h2>
        <p>
          Ce site n’utilise que des cookies nécessaires à son fonctionnement : la session des professionnels
          connectés et la protection des formulaires. Ils ne demandent pas de consentement.
        </p>
        <h2>Vos droits</h2>
        <p>
          Vous pouvez accéder à vos données, les faire rectifier ou effacer
          {email ? (
            <>
              {' '}
              en écrivant à{' '}
              <a href={`mailto:${email}`} safe>
                {email}
              </a>
            </>
          ) : (
            ''
          )}
          . Vous pouvez aussi adresser une réclamation à la CNIL.
        </p>
      </>,
    );
  });

  // Every page a visitor can reach: the modules' navigation and home entries, and the legal pages.
  app.get('/plan-du-site', { config: { access: 'public' } }, async (_request, reply) => {
    const links = new Map<string, string>();
    for (const entry of nav) links.set(entry.href, entry.label);
    for (const entry of home) if (!links.has(entry.href)) links.set(entry.href, entry.title);
    for (const entry of FOOTER_LINKS)
      links.set(entry.href, entry.href === '/accessibilite' ? 'Déclaration d’accessibilité' : entry.label);
    return reply.page(
      { title: 'Plan du site', breadcrumbs: crumbs },
      <>
        <h1>Plan du site</h1>
        <ul>
          {[...links].map(([href, label]) => (
            <li>
              <a href={href} safe>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </>,
    );
  });
}
