import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Fields, parseForm, textOf } from '../../platform/forms.ts';
import type { RouteContext } from '../../platform/module.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { countParticipations } from '../activites/index.ts';
import { type Helper, requireHelper } from '../mediateurs/index.ts';
import { communeOfAddress, findCommune, getOpsn, searchCommunes } from '../territoires/index.ts';
import {
  type Beneficiary,
  createBeneficiary,
  displayNameOf,
  findDuplicates,
  findVisibleBeneficiary,
  PERSON_FIELDS,
} from './beneficiary.ts';
import { beneficiaryFields } from './fields.ts';
import {
  deleteBeneficiary,
  duplicateProbe,
  exportBeneficiary,
  historyOf,
  listBeneficiaries,
  mergeBeneficiaries,
  mergesInto,
  recordListView,
  recordRead,
  updateBeneficiary,
} from './service.ts';
import {
  DeletePage,
  EditPage,
  ExportPage,
  formValuesOf,
  ListPage,
  MergeChoosePage,
  MergeConfirmPage,
  NewPage,
  NoticePage,
  type PersonFormValues,
  RecordPage,
} from './views.tsx';

const FLASH: Record<string, string> = {
  cree: 'La personne est enregistrée.',
  modifie: 'La fiche est modifiée.',
  inchange: 'Aucune modification : la fiche est inchangée.',
  fusionne: 'Les deux fiches sont réunies.',
  supprime: 'La fiche est supprimée. Ses accompagnements restent comptés, sans son nom.',
};

const HOME: Crumb[] = [
  { href: '/espace', label: 'Mon espace' },
  { href: '/beneficiaires', label: 'Personnes accompagnées' },
];

const INSEE_IN_PARENS = /\((\d{5}|2[AB]\d{3})\)\s*$/i;

/**
 * The INSEE code of the commune a helper typed: a name, "name postcode", a postcode, a code,
 * or the "Name (code)" the form shows back. An error names what to type instead.
 */
export function resolveCommune(typed: string): { code?: string; error?: string } {
  const text = typed.trim();
  if (text === '') return {};
  const inParens = INSEE_IN_PARENS.exec(text)?.[1]?.toUpperCase();
  if (inParens && findCommune(inParens)) return { code: inParens };
  const unknown = {
    error: 'Commune de résidence : commune inconnue. Vérifiez le nom ou saisissez le code postal.',
  };
  if (/^\d{5}$/.test(text)) {
    const byPostcode = searchCommunes(text, 20);
    if (byPostcode.length === 1) return { code: byPostcode[0]!.code };
    if (byPostcode.length > 1)
      return {
        error: `Commune de résidence : ce code postal couvre plusieurs communes (${byPostcode
          .map((c) => c.name)
          .join(', ')}). Saisissez le nom de la commune et son code postal.`,
      };
    return findCommune(text) ? { code: text } : unknown;
  }
  if (/^2[AB]\d{3}$/i.test(text)) return findCommune(text) ? { code: text.toUpperCase() } : unknown;
  const withPostcode = /^(.+?)\s+(\d{5})$/.exec(text);
  if (withPostcode) {
    const match = communeOfAddress(withPostcode[2]!, withPostcode[1]!);
    return match ? { code: match.code } : unknown;
  }
  const matches = searchCommunes(text, 10);
  const exact = matches.filter((m) => m.name.localeCompare(text, 'fr', { sensitivity: 'base' }) === 0);
  const chosen = exact.length > 0 ? exact : matches;
  if (chosen.length === 1) return { code: chosen[0]!.code };
  if (chosen.length > 1)
    return {
      error:
        'Commune de résidence : plusieurs communes portent ce nom. Ajoutez le code postal, par exemple « Saint-Denis 93200 ».',
    };
  return unknown;
}

/** The submitted fields, as typed, to show back in the form. */
function typedValues(body: Record<string, unknown>): PersonFormValues {
  const values: PersonFormValues = {};
  for (const name of PERSON_FIELDS) {
    const v = body[name];
    if (typeof v === 'string') values[name] = v;
  }
  return values;
}

type ParsedPerson =
  | { ok: true; data: ReturnType<typeof beneficiaryFields.parse>; values: PersonFormValues }
  | { ok: false; errors: FieldErrors; values: PersonFormValues };

function parsePerson(raw: Fields | undefined): ParsedPerson {
  const body = raw ?? {};
  const values = typedValues(body);
  const commune = resolveCommune(values.commune_insee ?? '');
  const form = parseForm(beneficiaryFields, { ...body, commune_insee: commune.code ?? '' });
  const errors: FieldErrors = form.ok ? {} : { ...form.errors };
  if (commune.error) errors.commune_insee = commune.error;
  if (!form.ok || commune.error) return { ok: false, errors, values };
  return { ok: true, data: form.data, values };
}

/** Pages about people are never stored by a browser or a proxy. */
function privatePage(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}

const origin = (request: FastifyRequest) => ({ ip: request.ip });

const pageNumber = (raw: unknown) => Math.max(1, Math.min(10_000, Math.trunc(Number(raw)) || 1));

/** The inputs of the pages about a person: their id in the address, the query string, the form. */
type Person = { Params: { beneficiaire: string }; Querystring: Fields; Body: Fields | undefined };

export function beneficiaryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, personRecordSections } = ctx;
  /** The helper asking (403 for anyone else), and the person if they may see them. */
  async function load(
    request: FastifyRequest<Person>,
    reply: FastifyReply,
  ): Promise<{ helper: Helper; b: Beneficiary } | undefined> {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const id = request.params.beneficiaire;
    const b = await findVisibleBeneficiary(db, helper, id);
    return b ? { helper, b } : undefined;
  }

  const crumbsOf = (b: Beneficiary): Crumb[] => [
    ...HOME,
    { href: `/beneficiaires/${b.id}`, label: displayNameOf(b) },
  ];

  app.get<Person>('/beneficiaires', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const query = request.query;
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) || undefined : undefined;
    const page = pageNumber(query.page);
    const list = await listBeneficiaries(db, helper, { q, page });
    await recordListView(
      db,
      helper,
      { kind: q ? 'recherche' : 'liste', page, total: list.total, shown: list.rows },
      origin(request),
    );
    return reply.page(
      { title: 'Personnes accompagnées', breadcrumbs: [HOME[0]!] },
      <ListPage {...list} page={page} q={q} flash={FLASH[textOf(query.ok) ?? '']} />,
    );
  });

  app.get('/beneficiaires/notice', { config: { access: 'helper' } }, async (request, reply) => {
    requireHelper(request.actor);
    return reply.page(
      { title: 'Vos informations personnelles', breadcrumbs: HOME },
      <NoticePage opsn={await getOpsn(db)} />,
    );
  });

  const newPage = (
    reply: FastifyReply,
    values: PersonFormValues,
    errors: FieldErrors,
    candidates: Beneficiary[] = [],
  ) => {
    const hasErrors = Object.keys(errors).length > 0;
    return reply.page(
      {
        title: 'Enregistrer une personne',
        breadcrumbs: HOME,
        hasErrors,
        status: hasErrors ? 400 : 200,
      },
      <NewPage values={values} errors={errors} csrf={reply.generateCsrf()} candidates={candidates} />,
    );
  };

  app.get('/beneficiaires/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    requireHelper(request.actor);
    privatePage(reply);
    return newPage(reply, {}, {});
  });

  app.post<Person>('/beneficiaires/nouveau', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    privatePage(reply);
    const parsed = parsePerson(request.body);
    if (!parsed.ok) return newPage(reply, parsed.values, parsed.errors);
    const confirmed = request.body?.confirmer === 'autre-personne';
    if (!confirmed) {
      const candidates = await findDuplicates(db, helper, parsed.data);
      if (candidates.length > 0) return newPage(reply, parsed.values, {}, candidates);
    }
    const id = await createBeneficiary(db, helper, parsed.data);
    return reply.redirect(`/beneficiaires/${id}?ok=cree`, 303);
  });

  app.get<Person>(
    '/beneficiaires/:beneficiaire',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const { helper, b } = found;
      const [history, merges, sections] = await Promise.all([
        historyOf(db, b.id),
        mergesInto(db, b.id),
        Promise.all(personRecordSections.map((section) => section(ctx, helper.actor, { id: b.id }))),
      ]);
      await recordRead(db, helper, b, origin(request));
      const ok = textOf(request.query.ok);
      return reply.page(
        { title: displayNameOf(b), breadcrumbs: HOME },
        <RecordPage
          b={b}
          history={history}
          merges={merges}
          sections={sections.filter((section) => section !== null)}
          flash={ok ? FLASH[ok] : undefined}
        />,
      );
    },
  );

  const editPage = (reply: FastifyReply, b: Beneficiary, values: PersonFormValues, errors: FieldErrors) => {
    const hasErrors = Object.keys(errors).length > 0;
    return reply.page(
      {
        title: `Modifier : ${displayNameOf(b)}`,
        breadcrumbs: crumbsOf(b),
        hasErrors,
        status: hasErrors ? 400 : 200,
      },
      <EditPage
        id={b.id}
        name={displayNameOf(b)}
        values={values}
        errors={errors}
        csrf={reply.generateCsrf()}
      />,
    );
  };

  app.get<Person>(
    '/beneficiaires/:beneficiaire/modifier',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      return editPage(reply, found.b, formValuesOf(found.b), {});
    },
  );

  app.post<Person>(
    '/beneficiaires/:beneficiaire/modifier',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const parsed = parsePerson(request.body);
      if (!parsed.ok) return editPage(reply, found.b, parsed.values, parsed.errors);
      const changed = await updateBeneficiary(db, found.helper, found.b, parsed.data, origin(request));
      return reply.redirect(
        `/beneficiaires/${found.b.id}?ok=${changed.length ? 'modifie' : 'inchange'}`,
        303,
      );
    },
  );

  const deletePage = async (reply: FastifyReply, b: Beneficiary, error?: string) => {
    const participations = await countParticipations(db, b.id);
    return reply.page(
      {
        title: `Supprimer : ${displayNameOf(b)}`,
        breadcrumbs: crumbsOf(b),
        hasErrors: Boolean(error),
        status: error ? 400 : 200,
      },
      <DeletePage b={b} participations={participations} csrf={reply.generateCsrf()} error={error} />,
    );
  };

  app.get<Person>(
    '/beneficiaires/:beneficiaire/supprimer',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      return deletePage(reply, found.b);
    },
  );

  app.post<Person>(
    '/beneficiaires/:beneficiaire/supprimer',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      if (request.body?.confirmer !== 'oui')
        return deletePage(
          reply,
          found.b,
          'Confirmez la suppression avec le bouton « Supprimer définitivement ».',
        );
      await deleteBeneficiary(db, found.helper, found.b, origin(request));
      return reply.redirect('/beneficiaires?ok=supprime', 303);
    },
  );

  const mergeChoosePage = async (
    reply: FastifyReply,
    helper: Helper,
    b: Beneficiary,
    q: string | undefined,
    error?: string,
  ) => {
    const [suggestions, results] = await Promise.all([
      q
        ? []
        : findDuplicates(db, helper, duplicateProbe(b)).then((rows) => rows.filter((r) => r.id !== b.id)),
      q ? listBeneficiaries(db, helper, { q, page: 1, excludeId: b.id }).then((l) => l.rows) : [],
    ]);
    const shown = [...suggestions, ...results];
    await recordListView(
      db,
      helper,
      { kind: 'fusion', page: 1, total: shown.length, shown },
      origin(reply.request),
    );
    return reply.page(
      {
        title: `Fusionner : ${displayNameOf(b)}`,
        breadcrumbs: crumbsOf(b),
        hasErrors: Boolean(error),
        status: error ? 400 : 200,
      },
      <MergeChoosePage b={b} suggestions={suggestions} results={results} q={q} error={error} />,
    );
  };

  const mergeConfirmPage = async (
    request: FastifyRequest<Person>,
    reply: FastifyReply,
    helper: Helper,
    kept: Beneficiary,
    other: Beneficiary,
    error?: string,
  ) => {
    const participations = await countParticipations(db, other.id);
    await recordRead(db, helper, other, origin(request), 'fusion');
    return reply.page(
      {
        title: `Fusionner : ${displayNameOf(kept)}`,
        breadcrumbs: crumbsOf(kept),
        hasErrors: Boolean(error),
        status: error ? 400 : 200,
      },
      <MergeConfirmPage
        kept={kept}
        other={other}
        otherParticipations={participations}
        csrf={reply.generateCsrf()}
        error={error}
      />,
    );
  };

  app.get<Person>(
    '/beneficiaires/:beneficiaire/fusionner',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const { helper, b } = found;
      const query = request.query;
      const q = typeof query.q === 'string' ? query.q.trim().slice(0, 100) || undefined : undefined;
      if (typeof query.autre === 'string' && query.autre !== '') {
        const other =
          query.autre === b.id ? undefined : await findVisibleBeneficiary(db, helper, query.autre);
        if (!other)
          return mergeChoosePage(reply, helper, b, q, 'Choisissez une autre fiche parmi celles proposées.');
        return mergeConfirmPage(request, reply, helper, b, other);
      }
      return mergeChoosePage(reply, helper, b, q);
    },
  );

  app.post<Person>(
    '/beneficiaires/:beneficiaire/fusionner',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const { helper, b } = found;
      const body = request.body ?? {};
      const other =
        typeof body.autre === 'string' && body.autre !== b.id
          ? await findVisibleBeneficiary(db, helper, body.autre)
          : undefined;
      if (!other)
        return mergeChoosePage(reply, helper, b, undefined, 'Choisissez l’autre fiche de la même personne.');
      if (body.confirmer !== 'oui')
        return mergeConfirmPage(
          request,
          reply,
          helper,
          b,
          other,
          'Confirmez la fusion avec le bouton « Fusionner ».',
        );
      await mergeBeneficiaries(
        db,
        helper,
        b,
        other,
        { fillEmpty: body.completer === 'oui' },
        origin(request),
      );
      return reply.redirect(`/beneficiaires/${b.id}?ok=fusionne`, 303);
    },
  );

  app.get<Person>(
    '/beneficiaires/:beneficiaire/export',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const data = await exportBeneficiary(
        db,
        found.helper,
        found.b,
        await getOpsn(db),
        'html',
        origin(request),
      );
      return reply.page(
        { title: `Données enregistrées : ${displayNameOf(found.b)}`, breadcrumbs: crumbsOf(found.b) },
        <ExportPage data={data} id={found.b.id} />,
      );
    },
  );

  app.get<Person>(
    '/beneficiaires/:beneficiaire/export.json',
    { config: { access: { helperOf: 'beneficiaire' } } },
    async (request, reply) => {
      const found = await load(request, reply);
      if (!found) return reply.callNotFound();
      const data = await exportBeneficiary(
        db,
        found.helper,
        found.b,
        await getOpsn(db),
        'json',
        origin(request),
      );
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="donnees-personne-${found.b.id}.json"`)
        .send(JSON.stringify(data, null, 2));
    },
  );
}
