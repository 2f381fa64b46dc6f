import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/auth/policy.ts';
import { isUuid, lastValue, parseForm, type RouteInput, textFields } from '../../platform/forms.ts';
import { isSignedIn, signedInActor } from '../../platform/http/access.ts';
import { uploadedFileName } from '../../platform/http/uploads.ts';
import type { RouteContext } from '../../platform/module.ts';
import { parisToday } from '../../platform/paris-time.ts';
import type { Crumb, FieldErrors } from '../../platform/ui/components.tsx';
import { findOwnActivity } from '../activites/index.ts';
import { requireHelper } from '../mediateurs/index.ts';
import { collectionBooklet } from './booklet.ts';
import {
  addToCollection,
  type Collection,
  collectionFields,
  createCollection,
  findCollection,
  itemsOf,
  moveInCollection,
  myCollections,
  ownsCollection,
  readableCollection,
  removeFromCollection,
  setShareLink,
  sharedCollection,
} from './collections.ts';
import { publicResources } from './exchange.ts';
import {
  decisionFields,
  moderationQueue,
  rateResource,
  ratingFields,
  ratingsOf,
  replyFields,
  replyToRating,
  reportFields,
  reportResource,
  resolveReport,
} from './feedback.ts';
import { checkFile, checkImage } from './files.ts';
import {
  baseName,
  baseOf,
  type FollowTarget,
  follow,
  isFollowing,
  myFollows,
  unfollow,
  unfollowTarget,
} from './follows.ts';
import { importResources } from './import.ts';
import { emptySearches, parseSearch, searchResources, suggestions } from './search.ts';
import {
  addBlock,
  authorCollectivite,
  type BlockInput,
  blockFields,
  blocksOf,
  canEdit,
  createResource,
  editableResource,
  editableResources,
  fileOf,
  filesOf,
  findBlock,
  mayWrite,
  moveBlock,
  publishResource,
  type Resource,
  removeBlock,
  resourceFields,
  restoreVersion,
  unpublishResource,
  updateBlock,
  updateResource,
  versionsOf,
  visibleResource,
} from './service.ts';
import {
  BlockFormPage,
  CollectionPage,
  CollectionsPage,
  EditPage,
  EmptySearchesPage,
  FollowsPage,
  HistoryPage,
  ImportPage,
  ModerationPage,
  MyResourcesPage,
  ResourceFormPage,
  ResourcePage,
  SearchPage,
  SuggestionsPage,
  type Values,
} from './views.tsx';

const HOME: Crumb[] = [{ href: '/ressources', label: 'Ressources' }];

const FLASH: Record<string, string> = {
  creee: 'La ressource est créée, en brouillon : ajoutez-lui du contenu puis publiez-la.',
  enregistree: 'C’est enregistré.',
  bloc: 'Le bloc est ajouté.',
  publiee: 'La ressource est publiée.',
  depubliee: 'La ressource est repassée en brouillon.',
  restauree: 'La version est restaurée.',
  note: 'Merci : votre note est enregistrée.',
  reponse: 'Votre réponse est enregistrée.',
  signalement:
    'Merci : votre signalement est transmis à la modération. Vous recevrez sa décision par courriel.',
  collection: 'La ressource est ajoutée à la collection.',
  decision: 'La décision est enregistrée et la personne qui a signalé est prévenue.',
  partage: 'Le lien de partage est à jour.',
  suivi:
    'C’est suivi : vous recevrez un courriel, au plus un par jour, quand une ressource y est publiée ou mise à jour.',
  'plus-suivi': 'Vous ne le suivez plus.',
};
const flashOf = (request: FastifyRequest<RouteInput<string>>) => {
  const ok = lastValue(request.query.ok);
  return ok ? FLASH[ok] : undefined;
};

/** The text fields of a form, lists kept (checkboxes), to show back what was typed. */
const formValues = (body: Record<string, unknown> | undefined): Values =>
  Object.fromEntries(
    Object.entries(body ?? {}).flatMap(([k, v]): [string, string | string[]][] =>
      typeof v === 'string'
        ? [[k, v]]
        : Array.isArray(v)
          ? [[k, v.filter((x): x is string => typeof x === 'string')]]
          : [],
    ),
  );

/** The fields of one add-block form, whose names carry its kind (`lien-url`): ids stay unique on the page. */
const ofKind = (body: Record<string, unknown>, kind: string): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(body).flatMap(([k, v]) =>
      k.startsWith(`${kind}-`) ? [[k.slice(kind.length + 1), v]] : [],
    ),
  );
const toKind = (errors: FieldErrors, kind: string): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([k, v]) => [`${kind}-${k}`, v]));

const resourceValues = (r: Resource): Values => ({
  titre: r.titre,
  resume: r.resume,
  licence: r.licence,
  visibilite: r.visibilite,
  thematiques: r.thematiques,
  types: r.types,
  publics: r.publics,
  competences: r.competences,
  contributors: r.contributors,
  review_on: r.review_on ?? '',
});

export function ressourceRoutes(app: FastifyInstance, { db, config }: RouteContext): void {
  // -------------------------------------------------------------------------- reading, public

  app.get<RouteInput>('/ressources', { config: { access: 'public' } }, async (request, reply) => {
    const query = parseSearch(request.query);
    const result = await searchResources(db, request.actor, query);
    const params = new URLSearchParams(
      Object.entries(request.query).flatMap(([k, v]): [string, string][] =>
        k === 'page'
          ? []
          : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').map((x) => [k, x]),
      ),
    );
    return reply.page(
      { title: query.q ? `Ressources : ${query.q}` : 'Ressources' },
      <SearchPage
        query={query}
        result={result}
        today={parisToday()}
        signedIn={isSignedIn(request.actor)}
        mayWrite={mayWrite(request.actor)}
        href={(p) => `/ressources?${new URLSearchParams([...params, ['page', String(p)]]).toString()}`}
      />,
    );
  });

  app.get('/ressources/export.json', { config: { access: 'public' } }, async (_request, reply) => {
    const rows = await publicResources(db, config.publicUrl);
    return reply
      .header('content-disposition', `attachment; filename="ressources-${parisToday()}.json"`)
      .type('application/json; charset=utf-8')
      .send(
        JSON.stringify(
          { format: 'relais-ressources/1', genere_le: new Date().toISOString(), ressources: rows },
          null,
          1,
        ),
      );
  });

  const resourcePage = async (
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    r: Resource,
    shown: { errors?: FieldErrors; values?: Values; status?: number } = {},
  ) => {
    const actor = request.actor;
    const signedIn = isSignedIn(actor);
    const [blocks, files, ratings, collections, follows] = await Promise.all([
      blocksOf(db, r.id),
      filesOf(db, r.id),
      signedIn ? ratingsOf(db, r.id) : Promise.resolve([]),
      signedIn ? myCollections(db, actor) : Promise.resolve([]),
      signedIn && r.status === 'publiee'
        ? Promise.all([
            r.created_by === null || r.created_by === actor.userId
              ? null
              : isFollowing(db, actor, { kind: 'auteur', auteurId: r.created_by }),
            isFollowing(db, actor, baseOf(r)),
            baseName(db, r.collectivite_id),
          ]).then(([auteur, base, name]) => ({ auteur, base, baseName: name }))
        : Promise.resolve(null),
    ]);
    if (r.status !== 'publiee' || r.visibilite !== 'publique')
      reply.header('cache-control', 'private, no-store');
    return reply.page(
      {
        title: r.titre,
        breadcrumbs: HOME,
        status: shown.status ?? 200,
        hasErrors: Boolean(shown.errors && Object.keys(shown.errors).length),
      },
      <ResourcePage
        r={r}
        blocks={blocks}
        files={files}
        today={parisToday()}
        editable={canEdit(actor, r)}
        signedIn={signedIn}
        userId={signedIn ? actor.userId : null}
        ratings={ratings}
        collections={collections}
        follows={follows}
        csrf={signedIn ? reply.generateCsrf() : ''}
        flash={flashOf(request)}
        errors={shown.errors ?? {}}
        values={shown.values ?? {}}
      />,
    );
  };

  app.get<RouteInput<'ressource'>>(
    '/ressources/:ressource',
    { config: { access: 'public' } },
    async (request, reply) => {
      const r = isUuid(request.params.ressource)
        ? await visibleResource(db, request.actor, request.params.ressource)
        : undefined;
      if (!r) return reply.callNotFound();
      return resourcePage(request, reply, r);
    },
  );

  app.get<RouteInput<'ressource' | 'fichier'>>(
    '/ressources/:ressource/fichiers/:fichier',
    { config: { access: 'public' } },
    async (request, reply) => {
      const { ressource, fichier } = request.params;
      const r =
        isUuid(ressource) && isUuid(fichier)
          ? await visibleResource(db, request.actor, ressource)
          : undefined;
      const f = r ? await fileOf(db, r, fichier) : undefined;
      if (!r || !f) return reply.callNotFound();
      const inline = f.content_type.startsWith('image/');
      const name = f.nom.replace(/["\\\r\n]/g, '_');
      return reply
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(f.nom)}`,
        )
        .header(
          'cache-control',
          r.status === 'publiee' && r.visibilite === 'publique'
            ? 'public, max-age=86400'
            : 'private, no-store',
        )
        .type(f.content_type)
        .send(f.bytes);
    },
  );

  // -------------------------------------------------------------------------- writing

  app.get<RouteInput>(
    '/ressources/nouvelle',
    { config: { access: 'coordinator' } },
    async (_request, reply) =>
      reply.page(
        { title: 'Écrire une ressource', breadcrumbs: HOME },
        <ResourceFormPage
          action="/ressources/nouvelle"
          title="Écrire une ressource"
          values={{ licence: 'etalab_2_0', visibilite: 'publique' }}
          errors={{}}
          csrf={reply.generateCsrf()}
        />,
      ),
  );

  app.post<RouteInput>(
    '/ressources/nouvelle',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const form = parseForm(resourceFields, request.body);
      if (!form.ok)
        return reply.page(
          { title: 'Écrire une ressource', breadcrumbs: HOME, status: 400, hasErrors: true },
          <ResourceFormPage
            action="/ressources/nouvelle"
            title="Écrire une ressource"
            values={formValues(request.body)}
            errors={form.errors}
            csrf={reply.generateCsrf()}
          />,
        );
      const id = await createResource(db, actor, form.data);
      return reply.redirect(`/ressources/${id}/modifier?ok=creee`, 303);
    },
  );

  // -------------------------------------------------------------------------- JSON import

  app.get('/ressources/import', { config: { access: 'coordinator' } }, (_request, reply) =>
    reply.page(
      { title: 'Importer des ressources', breadcrumbs: HOME },
      <ImportPage csrf={reply.generateCsrf()} errors={{}} />,
    ),
  );

  /** Imports a JSON file as drafts of the editor's library (their collectivité's, or the OPSN's). */
  app.post<RouteInput>(
    '/ressources/import',
    { config: { access: 'coordinator', files: true } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const again = (reason: string) =>
        reply.page(
          { title: 'Importer des ressources', breadcrumbs: HOME, status: 400, hasErrors: true },
          <ImportPage csrf={reply.generateCsrf()} errors={{ fichier: reason }} />,
        );
      if (!mayWrite(actor)) return reply.code(403).send();
      const file = request.body?.fichier;
      if (!Buffer.isBuffer(file) || file.length === 0) return again('Choisissez le fichier JSON à importer.');
      if (file.length > 5_000_000)
        return again('Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers.');
      const fileName = (uploadedFileName(file) ?? 'ressources.json').slice(0, 200);
      const result = await importResources(db, actor, file, {
        fileName,
        collectiviteId: authorCollectivite(actor),
        strict: lastValue(request.body?.strict) === 'oui',
      });
      if (!result.ok) return again(result.reason);
      const { report } = result;
      const drafts = report.ids.length
        ? await db
            .selectFrom('ressource')
            .select(['id', 'titre'])
            .where('id', 'in', report.ids)
            .orderBy('titre')
            .execute()
        : [];
      return reply.page(
        { title: 'Rapport d’import des ressources', breadcrumbs: HOME },
        <ImportPage
          csrf={reply.generateCsrf()}
          errors={{}}
          report={{
            ...report,
            drafts,
            rows: report.rows.map((r) => ({
              line: r.line,
              key: '',
              name: r.titre ?? '',
              result: r.result === 'created' ? 'créée' : 'rejetée',
              errors: r.errors,
              warnings: r.warnings,
            })),
          }}
        />,
      );
    },
  );

  app.get<RouteInput>(
    '/ressources/mes-ressources',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const page = Math.max(1, Math.min(1000, Math.trunc(Number(lastValue(request.query.page))) || 1));
      const [rows, count] = await editableResources(db, actor, page);
      return reply.page(
        { title: 'Mes ressources', breadcrumbs: HOME },
        <MyResourcesPage
          rows={rows}
          count={count}
          page={page}
          today={parisToday()}
          mayWrite={mayWrite(actor)}
        />,
      );
    },
  );

  /** The resource of the address, if this person may edit it (else a 404: nothing is revealed). */
  const editable = async (request: FastifyRequest<RouteInput<'ressource'>>) =>
    isUuid(request.params.ressource)
      ? editableResource(db, request.actor, request.params.ressource)
      : undefined;

  const editPage = async (
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    r: Resource,
    shown: { errors?: FieldErrors; values?: Values; kind?: string; error?: string; status?: number } = {},
  ) => {
    reply.header('cache-control', 'private, no-store');
    return reply.page(
      {
        title: `Modifier « ${r.titre} »`,
        breadcrumbs: [...HOME, { href: `/ressources/${r.id}`, label: r.titre }],
        status: shown.status ?? 200,
        hasErrors: Boolean(shown.error || (shown.errors && Object.keys(shown.errors).length)),
      },
      <EditPage
        r={r}
        blocks={await blocksOf(db, r.id)}
        files={await filesOf(db, r.id)}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        error={shown.error}
        errors={shown.errors ?? {}}
        values={shown.values ?? {}}
        kind={shown.kind ?? ''}
      />,
    );
  };

  const EDIT = { access: { coordinatorOf: 'ressource' } } as const;

  app.get<RouteInput<'ressource'>>(
    '/ressources/:ressource/modifier',
    { config: EDIT },
    async (request, reply) => {
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      return editPage(request, reply, r);
    },
  );

  app.get<RouteInput<'ressource'>>(
    '/ressources/:ressource/informations',
    { config: EDIT },
    async (request, reply) => {
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      return reply.page(
        {
          title: 'Informations de la ressource',
          breadcrumbs: [...HOME, { href: `/ressources/${r.id}/modifier`, label: r.titre }],
        },
        <ResourceFormPage
          action={`/ressources/${r.id}/informations`}
          title={`Informations de « ${r.titre} »`}
          values={resourceValues(r)}
          errors={{}}
          csrf={reply.generateCsrf()}
        />,
      );
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/informations',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const form = parseForm(resourceFields, request.body);
      if (!form.ok)
        return reply.page(
          { title: 'Informations de la ressource', breadcrumbs: HOME, status: 400, hasErrors: true },
          <ResourceFormPage
            action={`/ressources/${r.id}/informations`}
            title={`Informations de « ${r.titre} »`}
            values={formValues(request.body)}
            errors={form.errors}
            csrf={reply.generateCsrf()}
          />,
        );
      await updateResource(db, actor, r, form.data);
      return reply.redirect(`/ressources/${r.id}/modifier?ok=enregistree`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/blocs',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const kind = lastValue(request.body?.kind) ?? '';
      if (kind === 'image' || kind === 'fichier')
        return editPage(request, reply, r, {
          kind,
          errors: { [`${kind}-fichier`]: 'Choisissez un fichier à envoyer.' },
          status: 400,
        });
      const form = parseForm(blockFields, { ...ofKind(request.body ?? {}, kind), kind });
      if (!form.ok)
        return editPage(request, reply, r, {
          kind,
          errors: toKind(form.errors, kind),
          values: textFields(request.body),
          status: 400,
        });
      await addBlock(db, actor, r, form.data);
      return reply.redirect(`/ressources/${r.id}/modifier?ok=bloc`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/blocs/fichier',
    { config: { ...EDIT, files: true } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const body = request.body ?? {};
      const kind = lastValue(body.kind) === 'image' ? 'image' : 'fichier';
      const values = textFields(body);
      const again = (errors: FieldErrors) =>
        editPage(request, reply, r, { kind, errors: toKind(errors, kind), values, status: 400 });
      const form = parseForm(blockFields, { ...ofKind(values, kind), kind });
      const file = body[`${kind}-fichier`];
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if (!Buffer.isBuffer(file) || file.length === 0) errors.fichier ??= 'Choisissez un fichier à envoyer.';
      if (Object.keys(errors).length || !form.ok || !Buffer.isBuffer(file)) return again(errors);
      const nom = uploadedFileName(file) ?? (kind === 'image' ? 'image' : 'fichier');
      if (kind === 'image') {
        const image = await checkImage(file);
        if (!image.ok) return again({ fichier: image.reason });
        await addBlock(db, actor, r, form.data as BlockInput, {
          nom,
          contentType: image.contentType,
          bytes: image.bytes,
          sha256: image.sha256,
        });
      } else {
        const checked = checkFile(file);
        if (!checked.ok) return again({ fichier: checked.reason });
        const named = /\.[A-Za-z0-9]{1,5}$/.test(nom)
          ? nom.replace(/\.[A-Za-z0-9]{1,5}$/, `.${checked.extension}`)
          : `${nom}.${checked.extension}`;
        await addBlock(db, actor, r, form.data as BlockInput, {
          nom: named,
          contentType: checked.contentType,
          bytes: checked.bytes,
          sha256: checked.sha256,
          text: checked.text,
        });
      }
      return reply.redirect(`/ressources/${r.id}/modifier?ok=bloc`, 303);
    },
  );

  const blockOf = async (request: FastifyRequest<RouteInput<'ressource' | 'bloc'>>) => {
    const r = await editable(request);
    const block = r && isUuid(request.params.bloc) ? await findBlock(db, r, request.params.bloc) : undefined;
    return r && block ? { r, block } : undefined;
  };

  app.get<RouteInput<'ressource' | 'bloc'>>(
    '/ressources/:ressource/blocs/:bloc',
    { config: EDIT },
    async (request, reply) => {
      const found = await blockOf(request);
      if (!found) return reply.callNotFound();
      const { r, block } = found;
      return reply.page(
        {
          title: 'Modifier un bloc',
          breadcrumbs: [...HOME, { href: `/ressources/${r.id}/modifier`, label: r.titre }],
        },
        <BlockFormPage
          r={r}
          block={block}
          values={{
            titre: block.titre ?? '',
            texte: block.texte ?? '',
            url: block.url ?? '',
            alt: block.alt ?? '',
          }}
          errors={{}}
          csrf={reply.generateCsrf()}
        />,
      );
    },
  );

  app.post<RouteInput<'ressource' | 'bloc'>>(
    '/ressources/:ressource/blocs/:bloc',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const found = await blockOf(request);
      if (!found) return reply.callNotFound();
      const { r, block } = found;
      const form = parseForm(blockFields, { ...textFields(request.body), kind: block.kind });
      const done = form.ok ? await updateBlock(db, actor, r, block, form.data) : undefined;
      if (!form.ok || !done?.ok)
        return reply.page(
          { title: 'Modifier un bloc', breadcrumbs: HOME, status: 400, hasErrors: true },
          <BlockFormPage
            r={r}
            block={block}
            values={textFields(request.body)}
            errors={form.ok ? { formulaire: done && !done.ok ? done.reason : '' } : form.errors}
            csrf={reply.generateCsrf()}
          />,
        );
      return reply.redirect(`/ressources/${r.id}/modifier?ok=enregistree`, 303);
    },
  );

  for (const move of ['monter', 'descendre', 'retirer'] as const) {
    app.post<RouteInput<'ressource' | 'bloc'>>(
      `/ressources/:ressource/blocs/:bloc/${move}`,
      { config: EDIT },
      async (request, reply) => {
        const actor = signedInActor(request);
        const found = await blockOf(request);
        if (!found) {
          // A block already removed (a form sent twice): back to the resource, nothing to do.
          const r = await editable(request);
          return r ? reply.redirect(`/ressources/${r.id}/modifier`, 303) : reply.callNotFound();
        }
        if (move === 'retirer') await removeBlock(db, actor, found.r, found.block);
        else await moveBlock(db, actor, found.r, found.block, move === 'monter');
        return reply.redirect(`/ressources/${found.r.id}/modifier?ok=enregistree`, 303);
      },
    );
  }

  app.get<RouteInput<'ressource'>>(
    '/ressources/:ressource/historique',
    { config: EDIT },
    async (request, reply) => {
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      return reply.page(
        {
          title: `Historique de « ${r.titre} »`,
          breadcrumbs: [...HOME, { href: `/ressources/${r.id}/modifier`, label: r.titre }],
        },
        <HistoryPage
          r={r}
          versions={await versionsOf(db, r.id)}
          csrf={reply.generateCsrf()}
          flash={flashOf(request)}
        />,
      );
    },
  );

  app.post<RouteInput<'ressource' | 'version'>>(
    '/ressources/:ressource/historique/:version',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const version = Number(request.params.version);
      const done = Number.isSafeInteger(version)
        ? await restoreVersion(db, actor, r, version)
        : { ok: false as const, reason: 'Cette version n’existe pas.' };
      if (!done.ok) return editPage(request, reply, r, { error: done.reason, status: 404 });
      return reply.redirect(`/ressources/${r.id}/historique?ok=restauree`, 303);
    },
  );

  // -------------------------------------------------------------------------- ratings, reports, collections

  const readable = async (request: FastifyRequest<RouteInput<'ressource'>>) =>
    isUuid(request.params.ressource)
      ? visibleResource(db, request.actor, request.params.ressource)
      : undefined;

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/note',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await readable(request);
      if (!r) return reply.callNotFound();
      const form = parseForm(ratingFields, request.body);
      if (!form.ok)
        return resourcePage(request, reply, r, {
          errors: form.errors,
          values: textFields(request.body),
          status: 400,
        });
      const done = await rateResource(db, actor, r, form.data);
      if (!done.ok) return resourcePage(request, reply, r, { errors: { note: done.reason }, status: 409 });
      return reply.redirect(`/ressources/${r.id}?ok=note#avis`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/reponse',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const personne = lastValue(request.body?.personne) ?? '';
      const form = parseForm(replyFields, { personne, reponse: request.body?.[`reponse-${personne}`] });
      const done = form.ok
        ? await replyToRating(db, actor, r, form.data)
        : { ok: false as const, reason: 'Cette note n’existe pas.' };
      if (!done.ok)
        return resourcePage(request, reply, r, {
          errors: { avis: form.ok ? done.reason : (Object.values(form.errors)[0] ?? done.reason) },
          status: 400,
        });
      return reply.redirect(`/ressources/${r.id}?ok=reponse#avis`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/signalement',
    { config: { access: 'signed-in', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await readable(request);
      if (!r) return reply.callNotFound();
      const form = parseForm(reportFields, {
        motif: request.body?.motif,
        commentaire: request.body?.signalement,
      });
      if (!form.ok)
        return resourcePage(request, reply, r, {
          errors: form.errors.commentaire ? { signalement: form.errors.commentaire } : form.errors,
          values: textFields(request.body),
          status: 400,
        });
      await reportResource(db, actor, r, form.data);
      return reply.redirect(`/ressources/${r.id}?ok=signalement`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/collection',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await readable(request);
      if (!r) return reply.callNotFound();
      const id = lastValue(request.body?.collection);
      const c = isUuid(id) ? await findCollection(db, id) : undefined;
      const done = c
        ? await addToCollection(db, actor, c, r.id)
        : { ok: false as const, reason: 'Choisissez une de vos collections.' };
      if (!done.ok)
        return resourcePage(request, reply, r, { errors: { collection: done.reason }, status: 400 });
      return reply.redirect(`/ressources/${r.id}?ok=collection`, 303);
    },
  );

  // Publishing comes last among a resource's routes (unpublished, the others would not find it).
  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/depublier',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      if (r.status === 'publiee') await unpublishResource(db, actor, r);
      return reply.redirect(`/ressources/${r.id}/modifier?ok=depubliee`, 303);
    },
  );

  app.post<RouteInput<'ressource'>>(
    '/ressources/:ressource/publier',
    { config: EDIT },
    async (request, reply) => {
      const actor = signedInActor(request);
      const r = await editable(request);
      if (!r) return reply.callNotFound();
      const done = await publishResource(db, actor, r);
      if (!done.ok) return editPage(request, reply, r, { error: done.reason, status: 409 });
      return reply.redirect(`/ressources/${r.id}?ok=publiee`, 303);
    },
  );

  // -------------------------------------------------------------------------- moderation

  const moderationPage = async (
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    shown: { errors?: FieldErrors; errorFor?: string; status?: number } = {},
  ) => {
    const actor = signedInActor(request);
    reply.header('cache-control', 'private, no-store');
    const [open, done] = [await moderationQueue(db, actor, true), await moderationQueue(db, actor, false)];
    return reply.page(
      {
        title: 'Modération des ressources',
        breadcrumbs: HOME,
        status: shown.status ?? 200,
        hasErrors: Boolean(shown.errors),
      },
      <ModerationPage
        open={open}
        done={done}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        errors={shown.errors ?? {}}
        errorFor={shown.errorFor ?? ''}
      />,
    );
  };

  app.get<RouteInput>('/ressources/moderation', { config: { access: 'coordinator' } }, (request, reply) =>
    moderationPage(request, reply),
  );

  app.post<RouteInput<'signalement'>>(
    '/ressources/moderation/:signalement',
    { config: { access: 'coordinator' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const id = request.params.signalement;
      const form = parseForm(decisionFields, request.body);
      if (!form.ok) return moderationPage(request, reply, { errors: form.errors, errorFor: id, status: 400 });
      const done = isUuid(id)
        ? await resolveReport(db, config, actor, id, form.data)
        : { ok: false as const, reason: 'Ce signalement n’existe pas ou ne vous concerne pas.' };
      if (!done.ok)
        return moderationPage(request, reply, {
          errors: { decision: done.reason },
          errorFor: id,
          status: 409,
        });
      return reply.redirect('/ressources/moderation?ok=decision', 303);
    },
  );

  app.get<RouteInput>(
    '/ressources/recherches-sans-resultat',
    { config: { access: 'coordinator' } },
    async (_request, reply) =>
      reply.page(
        { title: 'Recherches sans résultat', breadcrumbs: HOME },
        <EmptySearchesPage rows={await emptySearches(db)} />,
      ),
  );

  // -------------------------------------------------------------------------- collections

  // -------------------------------------------------------------------------- follows

  const followsPage = async (
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    error?: string,
  ) =>
    reply.page(
      { title: 'Mes suivis', breadcrumbs: HOME, status: error ? 400 : 200, hasErrors: Boolean(error) },
      <FollowsPage
        rows={await myFollows(db, signedInActor(request))}
        csrf={reply.generateCsrf()}
        flash={flashOf(request)}
        error={error}
      />,
    );

  app.get<RouteInput>('/ressources/suivis', { config: { access: 'signed-in' } }, (request, reply) =>
    followsPage(request, reply),
  );

  /**
   * Follows or stops following: the author or the library of a resource the person may read
   * (`ressource`, `quoi`), a public collection (`collection`); or stops one of their follows from
   * their list (`suivi`). What is followed comes from the resource or the collection, never
   * from the form.
   */
  app.post<RouteInput>('/ressources/suivis', { config: { access: 'signed-in' } }, async (request, reply) => {
    const actor = signedInActor(request);
    const body = request.body ?? {};
    const stop = lastValue(body.suivre) === 'non';
    const followId = lastValue(body.suivi);
    if (followId !== undefined) {
      if (isUuid(followId)) await unfollow(db, actor, followId);
      return reply.redirect('/ressources/suivis?ok=plus-suivi', 303);
    }
    const apply = (target: FollowTarget) =>
      stop ? unfollowTarget(db, actor, target) : follow(db, actor, target);
    const resourceId = lastValue(body.ressource);
    if (resourceId !== undefined) {
      const r = isUuid(resourceId) ? await visibleResource(db, actor, resourceId) : undefined;
      if (r?.status !== 'publiee') return reply.callNotFound();
      const what = lastValue(body.quoi);
      const target: FollowTarget | undefined =
        what === 'auteur' && r.created_by !== null && r.created_by !== actor.userId
          ? { kind: 'auteur', auteurId: r.created_by }
          : what === 'base'
            ? baseOf(r)
            : undefined;
      if (!target)
        return resourcePage(request, reply, r, {
          errors: { suivi: 'Choisissez de suivre l’auteur de la ressource ou sa bibliothèque.' },
          status: 400,
        });
      await apply(target);
      return reply.redirect(`/ressources/${r.id}?ok=${stop ? 'plus-suivi' : 'suivi'}#suivre`, 303);
    }
    const collectionId = lastValue(body.collection);
    if (collectionId !== undefined) {
      const c = isUuid(collectionId) ? await readableCollection(db, actor, collectionId) : undefined;
      if (!c?.publique || ownsCollection(actor, c)) return reply.callNotFound();
      await apply({ kind: 'collection', collectionId: c.id });
      return reply.redirect(`/ressources/collections/${c.id}?ok=${stop ? 'plus-suivi' : 'suivi'}`, 303);
    }
    return followsPage(
      request,
      reply,
      'Rien à suivre : choisissez « Suivre » sur la page d’une ressource ou d’une collection publique.',
    );
  });

  app.get<RouteInput>(
    '/ressources/collections',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      return reply.page(
        { title: 'Mes collections', breadcrumbs: HOME },
        <CollectionsPage
          rows={await myCollections(db, actor)}
          values={{}}
          errors={{}}
          csrf={reply.generateCsrf()}
          inOpsnName={can(actor, 'opsn.manage')}
        />,
      );
    },
  );

  app.post<RouteInput>(
    '/ressources/collections',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const actor = signedInActor(request);
      const form = parseForm(collectionFields, request.body);
      const created = form.ok ? await createCollection(db, actor, form.data) : null;
      if (typeof created === 'string') return reply.redirect(`/ressources/collections/${created}`, 303);
      return reply.page(
        { title: 'Mes collections', breadcrumbs: HOME, status: created ? 403 : 400, hasErrors: true },
        <CollectionsPage
          rows={await myCollections(db, actor)}
          values={textFields(request.body)}
          errors={form.ok ? { au_nom_opsn: created && !created.ok ? created.reason : '' } : form.errors}
          csrf={reply.generateCsrf()}
          inOpsnName={can(actor, 'opsn.manage')}
        />,
      );
    },
  );

  const collectionPage = async (
    request: FastifyRequest<RouteInput<string>>,
    reply: FastifyReply,
    c: Collection,
    pdfHref: string,
    status = 200,
  ) => {
    const owner = ownsCollection(request.actor, c);
    const actor = request.actor;
    const following =
      isSignedIn(actor) && !owner && c.publique
        ? await isFollowing(db, actor, { kind: 'collection', collectionId: c.id })
        : null;
    if (!c.publique)
      reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer');
    return reply.page(
      {
        title: c.titre,
        breadcrumbs: [...HOME, { href: '/ressources/collections', label: 'Collections' }],
        status,
      },
      <CollectionPage
        c={c}
        items={await itemsOf(db, request.actor, c)}
        owner={owner}
        shareUrl={owner && c.share_token ? `${config.publicUrl}/ressources/partage/${c.share_token}` : null}
        today={parisToday()}
        csrf={isSignedIn(request.actor) ? reply.generateCsrf() : ''}
        flash={flashOf(request)}
        pdfHref={pdfHref}
        following={following}
      />,
    );
  };

  const booklet = async (request: FastifyRequest, reply: FastifyReply, c: Collection) => {
    const pdf = await collectionBooklet(db, request.actor, c, config.publicUrl);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="livret-ressources-${parisToday()}.pdf"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(pdf);
  };

  app.get<RouteInput<'collection'>>(
    '/ressources/collections/:collection',
    { config: { access: 'public' } },
    async (request, reply) => {
      const id = request.params.collection;
      const c = isUuid(id) ? await readableCollection(db, request.actor, id) : undefined;
      if (!c) return reply.callNotFound();
      return collectionPage(request, reply, c, `/ressources/collections/${c.id}/livret.pdf`);
    },
  );

  app.get<RouteInput<'collection'>>(
    '/ressources/collections/:collection/livret.pdf',
    { config: { access: 'public' } },
    async (request, reply) => {
      const id = request.params.collection;
      const c = isUuid(id) ? await readableCollection(db, request.actor, id) : undefined;
      if (!c) return reply.callNotFound();
      return booklet(request, reply, c);
    },
  );

  app.get<RouteInput<'jeton'>>(
    '/ressources/partage/:jeton',
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const c = await sharedCollection(db, request.params.jeton);
      if (!c) return reply.callNotFound();
      reply.header('referrer-policy', 'no-referrer');
      return collectionPage(request, reply, c, `/ressources/partage/${request.params.jeton}/livret.pdf`);
    },
  );

  app.get<RouteInput<'jeton'>>(
    '/ressources/partage/:jeton/livret.pdf',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const c = await sharedCollection(db, request.params.jeton);
      if (!c) return reply.callNotFound();
      return booklet(request, reply, c);
    },
  );

  /** A collection named in the form, if it is this person's own. */
  const ownCollection = async (request: FastifyRequest<RouteInput>) => {
    const id = lastValue(request.body?.collection);
    const c = isUuid(id) ? await findCollection(db, id) : undefined;
    return c && ownsCollection(request.actor, c) ? c : undefined;
  };
  const notYours = (reply: FastifyReply) =>
    reply.code(400).page(
      { title: 'Collection introuvable', breadcrumbs: HOME, status: 400 },
      <p>
        Cette collection n’existe pas ou n’est pas la vôtre.{' '}
        <a href="/ressources/collections">Revenir à mes collections</a>.
      </p>,
    );

  app.post<RouteInput>(
    '/ressources/collections/element',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const c = await ownCollection(request);
      const ressource = lastValue(request.body?.ressource);
      const move = lastValue(request.body?.action);
      if (!c || !isUuid(ressource) || !['monter', 'descendre', 'retirer'].includes(move ?? ''))
        return notYours(reply);
      if (move === 'retirer') await removeFromCollection(db, c, ressource);
      else await moveInCollection(db, c, ressource, move === 'monter');
      return reply.redirect(`/ressources/collections/${c.id}`, 303);
    },
  );

  app.post<RouteInput>(
    '/ressources/collections/partage',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const c = await ownCollection(request);
      if (!c) return notYours(reply);
      await setShareLink(db, c, lastValue(request.body?.lien) !== 'retirer');
      return reply.redirect(`/ressources/collections/${c.id}?ok=partage`, 303);
    },
  );

  // -------------------------------------------------------------------------- where the work happens

  app.get<RouteInput>('/ressources/suggestions', { config: { access: 'helper' } }, async (request, reply) => {
    const helper = requireHelper(request.actor);
    const id = lastValue(request.query.activite);
    const found = id ? await findOwnActivity(db, helper, id) : undefined;
    if (id && !found) return reply.callNotFound();
    const themes = found?.activity.thematiques ?? [];
    const title = found ? 'Ressources pour ce compte rendu' : 'Ressources suggérées';
    return reply.page(
      {
        title,
        breadcrumbs: found ? [{ href: `/activites/${found.activity.id}`, label: 'Compte rendu' }] : HOME,
      },
      <SuggestionsPage
        title={title}
        themes={themes}
        hits={await suggestions(db, request.actor, themes, 10)}
        today={parisToday()}
      />,
    );
  });
}
