import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../platform/auth/policy.ts';
import { lastValue, parseForm, type RouteInput, requiredText, trimString } from '../../platform/forms.ts';
import { activeCollectiviteOf } from '../../platform/http/access.ts';
import type { RouteContext } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import type { FieldErrors } from '../../platform/ui/components.tsx';
import {
  grantHabilitation,
  HABILITATIONS_REFUSED,
  habilitableHelper,
  habilitationCollectivites,
  helpersWithHabilitation,
  invitedByActor,
  withdrawHabilitation,
} from './habilitation.ts';
import { type CollectiviteChoice, HabilitationsPage, type RowValues, rowKey } from './habilitation-views.tsx';

const FLASH: Record<string, string> = {
  accordee: 'L’habilitation est enregistrée : l’aidant peut créer et utiliser des mandats.',
  retiree: 'L’habilitation est retirée : l’aidant ne peut plus créer ni utiliser de mandats.',
};

/** Trainings for mandates did not exist before 2015. */
export const FIRST_TRAINING_DAY = '2015-01-01';

/** `2026-01-15` or `15/01/2026` → `2026-01-15`; null when it is not a day of the calendar. */
export function trainingDay(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : fr
      ? [Number(fr[3]), Number(fr[2]), Number(fr[1])]
      : [0, 0, 0];
  if (y === 0) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

const MISSING_DATE = 'Saisissez la date de la formation.';

/** The grant form, checked against `today` (`YYYY-MM-DD`, in France). */
export const grantSchema = (today: string) =>
  z.object({
    dateFormation: z.preprocess(
      trimString,
      z
        .string({ error: MISSING_DATE })
        .min(1, MISSING_DATE)
        .transform((v, ctx) => {
          const day = trainingDay(v);
          const message = !day
            ? 'Saisissez la date de la formation au format JJ/MM/AAAA, par exemple 15/01/2026.'
            : day > today
              ? 'La date de la formation ne peut pas être dans le futur.'
              : day < FIRST_TRAINING_DAY
                ? 'La date de la formation ne peut pas être antérieure à 2015.'
                : null;
          if (message) {
            ctx.addIssue({ code: 'custom', message });
            return z.NEVER;
          }
          return day as string;
        }),
    ),
    certifiePar: requiredText('l’organisme ou la personne qui a certifié la formation', 200),
  });

const withdrawSchema = z.object({ motif: requiredText('le motif du retrait', 500) });

export function habilitationRoutes(app: FastifyInstance, { db }: RouteContext): void {
  const listPage = async (
    request: FastifyRequest<RouteInput>,
    reply: FastifyReply,
    extra: { collectiviteId?: number; errors?: FieldErrors; values?: RowValues; status?: number } = {},
  ) => {
    const actor = request.actor;
    const choices = await habilitationCollectivites(db, actor);
    const asked = Number(request.query.collectivite);
    const active = activeCollectiviteOf(actor);
    const collectivite =
      choices.find((c) => c.id === extra.collectiviteId) ??
      choices.find((c) => c.id === asked) ??
      choices.find((c) => c.id === active) ??
      (choices[0] as CollectiviteChoice);
    const helpers = await helpersWithHabilitation(db, collectivite.id);
    const selfInvited = await invitedByActor(
      db,
      actor,
      helpers.map((h) => h.id),
    );
    const ok = lastValue(request.query.ok);
    return reply.page(
      {
        title: 'Habilitation des aidants aux mandats',
        hasErrors: Boolean(extra.errors),
        status: extra.status ?? 200,
        breadcrumbs: [{ href: '/espace', label: 'Mon espace' }],
      },
      <HabilitationsPage
        collectivite={collectivite}
        choices={choices}
        helpers={helpers}
        selfInvited={{ ids: selfInvited, mayGrant: can(actor, 'opsn.manage') }}
        csrf={reply.generateCsrf()}
        today={parisToday()}
        flash={extra.errors || !ok ? undefined : FLASH[ok]}
        errors={extra.errors ?? {}}
        values={extra.values}
      />,
    );
  };

  /** The helper of the address and their collectivité: null when there is no such helper. */
  const target = async (request: FastifyRequest<RouteInput<'personne'>>) => {
    const { personne } = request.params;
    return habilitableHelper(db, request.actor, personne);
  };

  /** One row's errors, keyed so that the summary links to that row's fields. */
  const rowErrors = (errors: FieldErrors, userId: string): FieldErrors =>
    Object.fromEntries(Object.entries(errors).map(([field, message]) => [rowKey(field, userId), message]));

  const done = (reply: FastifyReply, collectiviteId: number, ok: keyof typeof FLASH) =>
    reply.redirect(`/admin/habilitations?collectivite=${collectiviteId}&ok=${ok}`, 303);

  app.get<RouteInput>(
    '/admin/habilitations',
    { config: { access: 'coordinator', refusal: HABILITATIONS_REFUSED } },
    (request, reply) => listPage(request, reply),
  );

  app.post<RouteInput<'personne'>>(
    '/admin/habilitations/:personne',
    { config: { access: { coordinatorOf: 'personne' }, refusal: HABILITATIONS_REFUSED } },
    async (request, reply) => {
      const helper = await target(request);
      if (!helper) return reply.callNotFound();
      const body = request.body ?? {};
      const form = parseForm(grantSchema(parisToday()), body);
      if (!form.ok)
        return listPage(request, reply, {
          collectiviteId: helper.collectiviteId,
          errors: rowErrors(form.errors, helper.userId),
          values: {
            userId: helper.userId,
            dateFormation: lastValue(body.dateFormation),
            certifiePar: lastValue(body.certifiePar),
          },
          status: 400,
        });
      const granted = await grantHabilitation(
        db,
        request.actor,
        helper.userId,
        helper.collectiviteId,
        form.data,
      );
      if (!granted.ok)
        return listPage(request, reply, {
          collectiviteId: helper.collectiviteId,
          errors: { [rowKey('habilitation', helper.userId)]: granted.reason },
          status: 403,
        });
      return done(reply, helper.collectiviteId, 'accordee');
    },
  );

  app.post<RouteInput<'personne'>>(
    '/admin/habilitations/:personne/retirer',
    { config: { access: { coordinatorOf: 'personne' }, refusal: HABILITATIONS_REFUSED } },
    async (request, reply) => {
      const helper = await target(request);
      if (!helper) return reply.callNotFound();
      const body = request.body ?? {};
      const form = parseForm(withdrawSchema, body);
      const values = { userId: helper.userId, motif: lastValue(body.motif) };
      if (!form.ok)
        return listPage(request, reply, {
          collectiviteId: helper.collectiviteId,
          errors: rowErrors(form.errors, helper.userId),
          values,
          status: 400,
        });
      if (!(await withdrawHabilitation(db, request.actor, helper.userId, form.data.motif)))
        return listPage(request, reply, {
          collectiviteId: helper.collectiviteId,
          errors: {
            [rowKey('habilitation', helper.userId)]:
              'Cet aidant n’est pas habilité : il n’y a rien à retirer.',
          },
          values,
          status: 400,
        });
      return done(reply, helper.collectiviteId, 'retiree');
    },
  );
}
