import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { audit } from '../../platform/audit/journal.ts';
import { can } from '../../platform/auth/policy.ts';
import { setActiveCollectivite } from '../../platform/auth/session-admin.ts';
import { closeSession, SESSION_COOKIE } from '../../platform/auth/sessions.ts';
import { authenticate } from '../../platform/auth/users.ts';
import { parseForm, type RouteInput, textOf } from '../../platform/forms.ts';
import { isSignedIn, type SignedIn, signedInActor } from '../../platform/http/access.ts';
import type { RouteContext, SpaceBlock } from '../../platform/module.ts';
import { listCollectivites } from '../territoires/index.ts';
import { warnOfLockout } from './lockout-mail.ts';
import { completeFirstFactor } from './signin.ts';
import { SignInPage, type SpaceLink, SpacePage } from './views.tsx';

const signInSchema = z.object({
  email: z
    .string({ error: 'Saisissez votre adresse e-mail.' })
    .trim()
    .min(1, 'Saisissez votre adresse e-mail.'),
  password: z.string({ error: 'Saisissez votre mot de passe.' }).min(1, 'Saisissez votre mot de passe.'),
});

export function comptesRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, config, spaceSections } = ctx;
  app.get<RouteInput>('/connexion', { config: { access: 'public' } }, async (request, reply) => {
    if (isSignedIn(request.actor)) return reply.redirect('/espace');
    return reply.page(
      { title: 'Se connecter' },
      <SignInPage csrf={reply.generateCsrf()} proconnect={config.proconnect !== undefined} />,
    );
  });

  app.post<RouteInput>(
    '/connexion',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = request.body;
      const form = parseForm(signInSchema, body);
      const result = form.ok ? await authenticate(db, form.data.email, form.data.password, request.ip) : null;
      if (result && !result.ok) {
        await audit(db, {
          actor: request.actor,
          action: 'auth.signin.failure',
          subject: result.userId ? { type: 'user', id: result.userId } : undefined,
          ip: request.ip,
        });
        if (result.lockedUntil && result.userId)
          await warnOfLockout(db, config, request, result.userId, 'password', result.lockedUntil);
      }
      if (!result?.ok) {
        // The same answer whether the account exists or not.
        const errors = form.ok
          ? { email: 'L’adresse e-mail ou le mot de passe est incorrect.' }
          : form.errors;
        return reply.page(
          { title: 'Se connecter', hasErrors: true, status: 401 },
          <SignInPage
            csrf={reply.generateCsrf()}
            errors={errors}
            email={textOf(body?.email)}
            proconnect={config.proconnect !== undefined}
          />,
        );
      }
      return completeFirstFactor(db, config, request, reply, result.userId, 'password');
    },
  );

  app.post('/deconnexion', { config: { access: 'public' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await closeSession(db, token);
    if (isSignedIn(request.actor))
      await audit(db, { actor: request.actor, action: 'auth.signout', ip: request.ip });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  /**
   * The person's space: a block per module with where they stand and what to do next (each
   * module says what it shows whom), the other pages their roles open, and the collectivité
   * they act in.
   */
  const spacePage = async (actor: SignedIn, reply: FastifyReply, error?: string) => {
    // The person's collectivités, read once for the theme links and the chooser.
    const mine = new Set(actor.memberships.map((m) => m.collectiviteId));
    const own = (await listCollectivites(db)).filter((c) => mine.has(c.id));
    const collectivites = own.map((c) => ({ id: c.id, name: c.display_name || c.name }));
    const blocks = (await Promise.all(spaceSections.map((section) => section(ctx, actor))))
      .filter((block): block is SpaceBlock => block !== null)
      .sort((a, b) => (a.rank ?? 50) - (b.rank ?? 50));
    const links: SpaceLink[] = [];
    const opsn = can(actor, 'opsn.manage');
    if (opsn) {
      links.push({ href: '/admin/territoire', label: 'Gérer le territoire et les collectivités membres' });
    }
    if (opsn || own.some((c) => can(actor, 'people.manage', { collectiviteId: c.id })))
      links.push({ href: '/admin/personnes', label: 'Inviter des personnes et gérer leurs rôles' });
    if (opsn && config.sms.provider === 'dev')
      links.push({ href: '/admin/sms', label: 'Lire les SMS envoyés (fournisseur de développement)' });
    for (const c of own) {
      if (can(actor, 'collectivite.theme', { collectiviteId: c.id })) {
        links.push({
          href: `/admin/territoire/collectivites/${c.id}/theme`,
          label: `Personnaliser ${c.name}`,
        });
      }
    }
    links.push({ href: '/compte/sessions', label: 'Mes sessions de connexion' });
    return reply.page(
      { title: 'Mon espace', hasErrors: Boolean(error), status: error ? 400 : 200 },
      <SpacePage
        actor={actor}
        blocks={blocks}
        links={links}
        collectivites={collectivites}
        csrf={reply.generateCsrf()}
        error={error}
      />,
    );
  };

  app.get('/espace', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = signedInActor(request);
    return spacePage(actor, reply);
  });

  app.post<RouteInput>(
    '/espace/collectivite',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const id = Number(request.body?.collectivite);
      const ok =
        Number.isSafeInteger(id) &&
        (await setActiveCollectivite(db, request.cookies[SESSION_COOKIE] ?? '', actor.memberships, id));
      if (!ok) return spacePage(actor, reply, 'Choisissez une collectivité où vous avez un rôle.');
      return reply.redirect('/espace', 303);
    },
  );
}
