import type { Actor } from '../auth/policy.ts';
import type { NavEntry } from '../module.ts';
import { assetUrl } from './assets.ts';
import { Breadcrumbs, type Crumb } from './components.tsx';

/** Who runs this instance, shown in every header. */
export type SiteIdentity = { name: string; shortName: string; logoUrl?: string | undefined };

/** Another representation of a page's content: a data file, a catalogue. */
export type Alternate = { href: string; type: string; title?: string };

/** A collectivité's own brand, on its public pages. */
export type Brand = { name: string; href: string; themeCssUrl?: string; logoUrl?: string | undefined };

export type PageChrome = {
  title: string;
  identity: SiteIdentity | null;
  brand?: Brand | undefined;
  nav: NavEntry[];
  currentPath: string;
  actor: Actor;
  /** The collectivité the signed-in person acts in, shown in the header. */
  activeCollectivite?: string | null;
  csrfToken: string;
  hasErrors?: boolean;
  breadcrumbs?: Crumb[] | undefined;
  /** A page made to sit inside another site's iframe: no header nor footer. */
  embed?: boolean;
  /**
   * Asset names (see `assetUrl`) of the page's own scripts and stylesheets. Scripts are an
   * enhancement only: every page works without them, and the CSP allows no inline code.
   */
  scripts?: readonly string[] | undefined;
  styles?: readonly string[] | undefined;
  alternates?: readonly Alternate[] | undefined;
};

function Header({ chrome }: { chrome: PageChrome }): JSX.Element {
  const identity = chrome.identity ?? { name: 'Relais', shortName: 'Relais' };
  const brand = chrome.brand;
  return (
    <header class="site-header">
      <div class="container site-header__bar">
        {brand ? (
          <a class="brand" href={brand.href}>
            {brand.logoUrl ? <img src={brand.logoUrl} alt="" width="80" height="40" /> : ''}
            <span>
              <span safe>{brand.name}</span>
              <span class="brand__sub">
                avec <span safe>{identity.name}</span>
              </span>
            </span>
          </a>
        ) : (
          <a class="brand" href="/">
            {identity.logoUrl ? <img src={identity.logoUrl} alt="" width="80" height="40" /> : ''}
            <span>
              <span safe>{identity.name}</span>
              <span class="brand__sub">Inclusion numérique</span>
            </span>
          </a>
        )}
        <div class="account">
          {chrome.actor.kind === 'user' ? (
            <>
              <span>
                Connecté : <span safe>{chrome.actor.name}</span>
                {chrome.activeCollectivite ? (
                  <>
                    {' – '}
                    <a href="/espace" safe>
                      {chrome.activeCollectivite}
                    </a>
                  </>
                ) : (
                  ''
                )}
              </span>
              <form method="post" action="/deconnexion">
                <input type="hidden" name="_csrf" value={chrome.csrfToken} />
                <button type="submit" class="link-button">
                  Se déconnecter
                </button>
              </form>
            </>
          ) : (
            <a href="/connexion">Se connecter</a>
          )}
        </div>
      </div>
    </header>
  );
}

/** Where a signed-in person's work starts: first in the navigation, on every page. */
const OWN_SPACE: NavEntry = { href: '/espace', label: 'Mon espace' };

function Navigation({ chrome }: { chrome: PageChrome }): JSX.Element {
  const entries = chrome.actor.kind === 'user' ? [OWN_SPACE, ...chrome.nav] : chrome.nav;
  return (
    <nav class="site-nav" aria-label="Navigation principale">
      <div class="container">
        <ul>
          {entries.map((entry) => (
            <li>
              <a href={entry.href} aria-current={entry.href === chrome.currentPath ? 'page' : undefined} safe>
                {entry.label}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </nav>
  );
}

/** The links every page's footer carries (the accessibility status is a legal obligation). */
export const FOOTER_LINKS: NavEntry[] = [
  { href: '/accessibilite', label: 'Accessibilité : non conforme' },
  { href: '/mentions-legales', label: 'Mentions légales' },
  { href: '/donnees-personnelles', label: 'Données personnelles' },
  { href: '/plan-du-site', label: 'Plan du site' },
];

function Footer({ chrome }: { chrome: PageChrome }): JSX.Element {
  return (
    <footer class="site-footer">
      <div class="container">
        <ul>
          {FOOTER_LINKS.map((link) => (
            <li>
              <a href={link.href} safe>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
        <p>
          Service proposé par <span safe>{chrome.identity?.name ?? 'votre opérateur public'}</span>, avec
          Relais, logiciel libre d’inclusion numérique.
        </p>
      </div>
    </footer>
  );
}

/** The whole HTML document around a page's content. */
export function Layout({
  chrome,
  children: safeContent,
}: {
  chrome: PageChrome;
  children?: JSX.Element;
}): JSX.Element {
  const site = chrome.brand?.name ?? chrome.identity?.shortName ?? 'Relais';
  const title = `${chrome.hasErrors ? 'Erreur : ' : ''}${chrome.title} – ${site}`;
  return (
    <>
      {'<!doctype html>'}
      <html lang="fr">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{title}</title>
          <link rel="stylesheet" href={assetUrl('relais.css')} />
          {(chrome.styles ?? []).map((name) => (
            <link rel="stylesheet" href={assetUrl(name)} />
          ))}
          <link rel="stylesheet" href={assetUrl('print.css')} media="print" />
          {chrome.brand?.themeCssUrl ? <link rel="stylesheet" href={chrome.brand.themeCssUrl} /> : ''}
          <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
          {(chrome.alternates ?? []).map((a) => (
            <link rel="alternate" type={a.type} href={a.href} title={a.title} />
          ))}
          {(chrome.scripts ?? []).map((name) => (
            <script src={assetUrl(name)} defer></script>
          ))}
        </head>
        <body>
          <a class="skip-link" href="#contenu">
            Aller au contenu
          </a>
          {chrome.embed ? '' : <Header chrome={chrome} />}
          {chrome.embed ? '' : <Navigation chrome={chrome} />}
          <main id="contenu" tabindex="-1">
            <div class="container">
              {chrome.breadcrumbs?.length ? <Breadcrumbs items={chrome.breadcrumbs} /> : ''}
              {safeContent}
            </div>
          </main>
          {chrome.embed ? '' : <Footer chrome={chrome} />}
        </body>
      </html>
    </>
  );
}
