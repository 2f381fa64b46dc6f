import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/policy.ts';
import type { NavEntry } from '../module.ts';
import type { Crumb } from './components.tsx';
import { type Alternate, type Brand, Layout, type SiteIdentity } from './layout.tsx';

export type PageOptions = {
  title: string;
  brand?: Brand | undefined;
  breadcrumbs?: Crumb[];
  hasErrors?: boolean;
  status?: number;
  embed?: boolean;
  /** Asset names of scripts this page adds (`assetUrl`), loaded `defer` at the end of the head. */
  scripts?: readonly string[];
  /** Asset names of stylesheets this page adds, after the platform's stylesheet. */
  styles?: readonly string[];
  /** Other representations of the page's content (`<link rel="alternate">`), for machines. */
  alternates?: readonly Alternate[];
};

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyReply {
    /** Renders `body` inside the site layout and sends it as HTML. */
    page(options: PageOptions, body: JSX.Element): Promise<FastifyReply>;
  }
}

export type PageSetup = {
  loadIdentity: () => Promise<SiteIdentity | null>;
  /** The display name of a collectivité, for the signed-in person's active one. */
  loadCollectiviteName: (id: number) => Promise<string | null>;
  nav: NavEntry[];
  /** The stylesheets of the module that registered each route, by route URL (`/lieux/:id`). */
  moduleStyles?: ReadonlyMap<string, readonly string[]>;
};

export function registerPages(app: FastifyInstance, setup: PageSetup): void {
  app.decorateReply('page', async function page(this: FastifyReply, options: PageOptions, body: JSX.Element) {
    const request: FastifyRequest = this.request;
    const actor = request.actor;
    const activeId = actor.kind === 'user' ? actor.activeCollectiviteId : null;
    const [identity, content, activeCollectivite] = await Promise.all([
      setup.loadIdentity(),
      body,
      activeId === null ? null : setup.loadCollectiviteName(activeId),
    ]);
    const html = await Layout({
      chrome: {
        title: options.title,
        identity,
        brand: options.brand,
        nav: setup.nav,
        currentPath: request.url.split('?')[0] ?? '/',
        actor,
        activeCollectivite,
        // Only signed-in people get the sign-out form: public pages stay cookie-free.
        csrfToken: actor.kind === 'user' ? this.generateCsrf() : '',
        hasErrors: options.hasErrors ?? false,
        breadcrumbs: options.breadcrumbs,
        embed: options.embed ?? false,
        scripts: options.scripts,
        styles: [
          ...(setup.moduleStyles?.get(request.routeOptions.url ?? '') ?? []),
          ...(options.styles ?? []),
        ],
        alternates: options.alternates,
      },
      children: content,
    });
    return this.status(options.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(html);
  });
}
