import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/auth/policy.ts';
import { fileUrl } from '../../platform/files.ts';
import { parseForm, type RouteInput, textFields, textOf } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Brand } from '../../platform/ui/layout.tsx';
import {
  addCollectivite,
  type Collectivite,
  displayName,
  findCollectiviteById,
  findCollectiviteBySlug,
  findCollectiviteForTheme,
  getOpsn,
  listCollectivites,
  removeCollectivite,
  saveOpsn,
  updateTheme,
} from './service.ts';
import { addCollectiviteSchema, opsnSchema, themeSchema } from './validation.ts';
import {
  AdminPage,
  CollectiviteListPage,
  CollectivitePage,
  HomePage,
  NotConfigured,
  RemovePage,
  ThemePage,
} from './views.tsx';

/** Messages shown after a redirect, chosen by a code in the URL (never personal data). */
const FLASH: Record<string, string> = {
  ajoutee: 'La collectivité a été ajoutée.',
  retiree: 'La collectivité a été retirée.',
  theme: 'La personnalisation a été enregistrée.',
  opsn: 'L’identité de l’opérateur a été enregistrée.',
};

/** The brand a collectivité's public pages wear: its name, colour (as a stylesheet) and logo. */
export function brandOf(c: Collectivite): Brand {
  return {
    name: displayName(c),
    href: `/collectivites/${c.slug}`,
    themeCssUrl: c.brand_colour
      ? `/collectivites/${c.slug}/theme.css?v=${c.brand_colour.slice(1)}`
      : undefined,
    logoUrl: c.logo_file_id ? fileUrl(c.logo_file_id) : undefined,
  };
}

const idParam = (request: FastifyRequest<RouteInput<'id'>>) => {
  const id = Number(request.params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
};

export function territoiresRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, home, collectiviteSections } = ctx;
  app.get('/', { config: { access: 'public' } }, async (_request, reply) => {
    const [opsn, members] = await Promise.all([getOpsn(db), listCollectivites(db)]);
    if (!opsn) return reply.page({ title: 'Bienvenue' }, <NotConfigured />);
    return reply.page({ title: 'Accueil' }, <HomePage opsn={opsn} members={members} entries={home} />);
  });

  app.get('/collectivites', { config: { access: 'public' } }, async (_request, reply) => {
    const members = await listCollectivites(db);
    return reply.page(
      { title: 'Collectivités membres', breadcrumbs: [{ href: '/', label: 'Accueil' }] },
      <CollectiviteListPage members={members} />,
    );
  });

  app.get<RouteInput<'slug'>>(
    '/collectivites/:slug',
    { config: { access: 'public' } },
    async (request, reply) => {
      const [c, opsn] = await Promise.all([findCollectiviteBySlug(db, request.params.slug), getOpsn(db)]);
      if (!c) return reply.callNotFound();
      const shown = { id: c.id, name: displayName(c) };
      const sections = (await Promise.all(collectiviteSections.map((section) => section(ctx, shown)))).filter(
        (section) => section !== null,
      );
      return reply.page(
        {
          title: displayName(c),
          brand: brandOf(c),
          breadcrumbs: [
            { href: '/', label: 'Accueil' },
            { href: '/collectivites', label: 'Collectivités membres' },
          ],
        },
        <CollectivitePage c={c} opsn={opsn} sections={sections} />,
      );
    },
  );

  // The colour lives in a stylesheet, not an inline style, so the CSP can forbid inline styles.
  app.get<RouteInput<'slug'>>(
    '/collectivites/:slug/theme.css',
    { config: { access: 'public' } },
    async (request, reply) => {
      const c = await findCollectiviteBySlug(db, request.params.slug);
      if (!c?.brand_colour) return reply.callNotFound();
      return reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=86400')
        .send(`:root{--brand:${c.brand_colour}}`);
    },
  );

  const adminPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    extra: {
      errors?: Record<string, string>;
      values?: Record<string, string | undefined>;
      status?: number;
    } = {},
  ) => {
    const [opsn, members] = await Promise.all([getOpsn(db), listCollectivites(db)]);
    const flash = FLASH[textOf(request.query.ok) ?? ''];
    return reply.page(
      {
        title: 'Territoire',
        hasErrors: Boolean(extra.errors),
        status: extra.status ?? 200,
        breadcrumbs: [{ href: '/', label: 'Accueil' }],
      },
      <AdminPage
        opsn={opsn}
        members={members}
        csrf={reply.generateCsrf()}
        flash={flash}
        errors={extra.errors ?? {}}
        values={extra.values ?? {}}
      />,
    );
  };

  app.get<RouteInput>('/admin/territoire', { config: { access: 'admin' } }, (request, reply) =>
    adminPage(request, reply),
  );

  app.post<RouteInput>(
    '/admin/territoire/collectivites',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const body = textFields(request.body);
      const form = parseForm(addCollectiviteSchema, body);
      if (!form.ok) return adminPage(request, reply, { errors: form.errors, values: body, status: 400 });
      const result = await addCollectivite(db, request.actor, form.data.code);
      if (!result.ok) {
        return adminPage(request, reply, { errors: { code: result.reason }, values: body, status: 400 });
      }
      return reply.redirect('/admin/territoire?ok=ajoutee', 303);
    },
  );

  app.post<RouteInput>('/admin/territoire/opsn', { config: { access: 'admin' } }, async (request, reply) => {
    const body = textFields(request.body);
    const form = parseForm(opsnSchema, body);
    if (!form.ok) return adminPage(request, reply, { errors: form.errors, values: body, status: 400 });
    await saveOpsn(db, request.actor, form.data);
    return reply.redirect('/admin/territoire?ok=opsn', 303);
  });

  const loadForTheme = async (request: FastifyRequest<RouteInput<'id'>>) => {
    const id = idParam(request);
    return id ? await findCollectiviteForTheme(db, request.actor, id) : undefined;
  };

  /** Where the theme page leads back to: the territory for those who manage it, else their space. */
  const themeBack = (request: FastifyRequest) =>
    can(request.actor, 'opsn.manage') ? '/admin/territoire' : '/espace';

  /** Validates and saves the theme form; returns the errors to show, or null once saved. */
  const saveThemeForm = async (id: number, request: FastifyRequest, body: unknown) => {
    const form = parseForm(themeSchema, body);
    if (!form.ok) return form.errors;
    const result = await updateTheme(db, request.actor, id, form.data);
    return result.ok ? null : { [result.field]: result.reason };
  };

  app.get<RouteInput<'id'>>(
    '/admin/territoire/collectivites/:id/theme',
    { config: { access: { coordinatorOf: 'id' } } },
    async (request, reply) => {
      const c = await loadForTheme(request);
      if (!c) return reply.callNotFound();
      return reply.page(
        { title: `Personnaliser ${displayName(c)}` },
        <ThemePage c={c} csrf={reply.generateCsrf()} back={themeBack(request)} />,
      );
    },
  );

  app.post<RouteInput<'id'>>(
    '/admin/territoire/collectivites/:id/theme',
    { config: { access: { coordinatorOf: 'id' }, files: true } },
    async (request, reply) => {
      const c = await loadForTheme(request);
      if (!c) return reply.callNotFound();
      const body = request.body ?? {};
      const values = {
        displayName: String(body.displayName ?? ''),
        brandColour: String(body.brandColour ?? ''),
      };
      const errors = await saveThemeForm(c.id, request, body);
      if (errors) {
        return reply.page(
          { title: `Personnaliser ${displayName(c)}`, hasErrors: true, status: 400 },
          <ThemePage
            c={c}
            csrf={reply.generateCsrf()}
            back={themeBack(request)}
            errors={errors}
            values={values}
          />,
        );
      }
      return reply.redirect(
        can(request.actor, 'opsn.manage') ? '/admin/territoire?ok=theme' : `/collectivites/${c.slug}`,
        303,
      );
    },
  );

  app.get<RouteInput<'id'>>(
    '/admin/territoire/collectivites/:id/retirer',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const id = idParam(request);
      const c = id ? await findCollectiviteById(db, id) : undefined;
      if (!c) return reply.callNotFound();
      return reply.page(
        { title: `Retirer ${displayName(c)}` },
        <RemovePage c={c} csrf={reply.generateCsrf()} />,
      );
    },
  );

  app.post<RouteInput<'id'>>(
    '/admin/territoire/collectivites/:id/retirer',
    { config: { access: 'admin' } },
    async (request, reply) => {
      const id = idParam(request);
      const c = id ? await findCollectiviteById(db, id) : undefined;
      if (!c) return reply.callNotFound();
      const result = await removeCollectivite(db, request.actor, c.id);
      if (!result.ok) {
        return reply.page(
          { title: `Retirer ${displayName(c)}`, hasErrors: true, status: 409 },
          <RemovePage c={c} csrf={reply.generateCsrf()} error={result.reason} />,
        );
      }
      return reply.redirect('/admin/territoire?ok=retiree', 303);
    },
  );
}
