import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Registry } from 'prom-client';
import type { AuditActionLabels } from './audit/actions.ts';
import type { Actor } from './auth/policy.ts';
import type { Config } from './config.ts';
import type { Contributions } from './contributions.ts';
import type { Db } from './db/database.ts';
import type { SignedIn } from './http/access.ts';
import type { JobDefinition } from './jobs/job.ts';
import type { SmsAnswerHandler } from './messaging/answers.ts';
import type { Dataset } from './open-data.ts';

/** What the platform hands to every module. */
export type ModuleContext = { db: Db; config: Config };

/** What routes get besides: the navigation and home-page entries every module offers. */
export type RouteContext = ModuleContext & {
  /**
   * For the heavy read-only pages (statistics, observatory, open data, public directory): the
   * read replica when one is configured and keeping up, else `db`. A route opts in by reading
   * it; anything that writes, or shows what its reader has just written, reads `db`.
   */
  readDb: Db;
  nav: NavEntry[];
  home: HomeEntry[];
  /** What modules add to a collectivité's public page (its places…), in module order. */
  collectiviteSections: CollectiviteSection[];
  /** What modules add to a signed-in person's space (`/espace`). */
  spaceSections: SpaceSection[];
  /** What modules add to the record of a person a helper accompanies (`/beneficiaires/:id`). */
  personRecordSections: PersonRecordSection[];
  /** What modules add to the page of a helper's own activity report (`/activites/:id`). */
  activityReportSections: ActivityReportSection[];
  /** What modules add to the public page of a place (`/lieux/:id`). */
  placePageSections: PlacePageSection[];
  /** Every module's next steps for a skills result. */
  skillsNextSteps: SkillsNextStepSource[];
  /** Every module's public dates for the network's agenda. */
  agendaSources: AgendaSource[];
  /** Every module's `/api/v1` routes, mounted by the api module inside its OpenAPI scope. */
  apiRoutes: ApiRoutes[];
  /** What every module declared for others to use: jobs, open datasets, audit labels. */
  contributions: Contributions;
};

/** Routes a module adds under `/api/v1` (paths relative to it), documented in the OpenAPI file. */
export type ApiRoutes = (api: FastifyInstance, ctx: ModuleContext) => void | Promise<void>;

/** What the platform gives a module to build its CLI commands with. */
export type CliContext = {
  program: Command;
  /** Opens the configured database, runs pending migrations, and closes it after `work`. */
  withDb<T>(work: (ctx: ModuleContext) => Promise<T>): Promise<T>;
  /**
   * Opens the configured database as it is, without migrating it, and closes it after `work`
   * (restore: a backup goes into the schema it was made with, and migrates the rest after).
   */
  withUnmigratedDb<T>(work: (ctx: ModuleContext) => Promise<T>): Promise<T>;
  /** What every module declared for others to use: jobs, open datasets, audit labels. */
  contributions: Contributions;
  /** Every module, in order: their migrations build a schema (backups restore into it). */
  modules: RelaisModule[];
};

/** Who may call a route: each route declares it in its registration (`config: { access }`). */
export type { Access } from './http/access.ts';

/** A navigation entry a module offers in the site header. */
export type NavEntry = { href: string; label: string };

/** A card on the public home page that leads to what a module offers. */
export type HomeEntry = {
  href: string;
  title: string;
  text: string;
  /** Shown first on the home page, with this block (the citizen's search form), instead of a card. */
  featured?: () => JSX.Element;
};

/** A block a module adds to a collectivité's public page, or null when it has nothing to show there. */
export type CollectiviteSection = (
  ctx: ModuleContext,
  collectivite: { id: number; name: string },
) => Promise<JSX.Element | null>;

/**
 * A block a module adds to the record of a person a helper accompanies (their mandates…), or
 * null when it has nothing for this helper: only links the helper may follow.
 */
export type PersonRecordSection = (
  ctx: ModuleContext,
  helper: SignedIn,
  person: { id: string },
) => Promise<JSX.Element | null>;

/**
 * A block a module adds to the public page of a place of the directory (book an appointment
 * there…), or null when it has nothing for this reader: only links they may follow.
 */
export type PlacePageSection = (
  ctx: ModuleContext,
  actor: Actor,
  place: { id: string },
) => Promise<JSX.Element | null>;

/**
 * A block a module adds to the page of a helper's own activity report (refer a participant,
 * resources on its themes…), or null when it has nothing for this helper: only links the
 * helper may follow. `people` are the participants the helper knows by name.
 */
export type ActivityReportSection = (
  ctx: ModuleContext,
  helper: SignedIn,
  report: { id: string; thematiques: readonly string[]; oriente: boolean; people: readonly string[] },
) => Promise<JSX.Element | null>;

/**
 * What the result of the skills self-diagnosis asks of the modules that offer a way to learn
 * near the person (a workshop to book, a resource of the library): the competences to work on
 * (codes 1.1–5.2, weakest first), the matching themes of the activity reports, and where the
 * person is (the position of the commune they gave, or none).
 */
export type SkillsNeed = {
  competences: readonly string[];
  themes: readonly string[];
  near: { latitude: number; longitude: number } | null;
};

/** A next step a module offers to a skills result: a link anyone may follow, and what it is. */
export type SkillsNextStep = {
  kind: 'atelier' | 'ressource';
  title: string;
  href: string;
  /** One sentence: when and where (a workshop), or what it teaches (a resource). */
  detail: string;
};

/** The next steps a module offers for a need, best first; the result shows the first few. */
export type SkillsNextStepSource = (ctx: ModuleContext, need: SkillsNeed) => Promise<SkillsNextStep[]>;

/**
 * An entry another module puts on the network's public agenda and its calendar feed (a
 * training's half-day…): public facts only, with the page that tells more.
 */
export type AgendaEntry = {
  /** Unique and stable, so that a calendar replaces the entry when it changes. */
  uid: string;
  /** What it is, in a word (« Formation »). */
  kind: string;
  title: string;
  start: Date;
  end: Date;
  where: string | null;
  href: string;
};

/** The public entries a module has between two instants, in time order. */
export type AgendaSource = (ctx: ModuleContext, window: { from: Date; to: Date }) => Promise<AgendaEntry[]>;

/**
 * A block of a signed-in person's space (`/espace`): where they stand in one module and what
 * to do next. Every link in it is one the person may follow (ask the same `can()` as the route).
 */
export type SpaceBlock = {
  /** Its heading. */
  title: string;
  /** Where it sits: lower first, the person's daily task first (default 50). */
  rank?: number;
  /** What needs saying first, in a sentence (a warning, the state of things). */
  text?: string;
  /** Figures, each a short sentence (« 3 comptes rendus aujourd’hui »). */
  facts?: readonly string[];
  /** The next thing to do, shown as a button. */
  action?: NavEntry;
  /** The block's other pages. */
  links?: readonly NavEntry[];
};

/** What a module shows in this person's space, or null when it has nothing for them. */
export type SpaceSection = (
  ctx: ModuleContext & { contributions: Contributions },
  actor: SignedIn,
) => Promise<SpaceBlock | null>;

/**
 * One capability of Relais. `src/modules/index.ts` lists them; the platform wires their
 * migrations, routes, commands and demo data.
 */
export type RelaisModule = {
  name: string;
  /** Named `YYYYMMDDHHMM_module_what`: names sort into the order they run in. */
  migrations?: Record<string, Migration>;
  routes?: (app: FastifyInstance, ctx: RouteContext) => void | Promise<void>;
  api?: ApiRoutes;
  cli?: (cli: CliContext) => void;
  /** Demo data, run once on the first start in demo mode, in module order. */
  seedDemo?: (ctx: ModuleContext) => Promise<void>;
  /** Work the platform runs on a schedule (`src/platform/jobs`). */
  jobs?: JobDefinition[];
  /** Handlers of the SMS answers to this module's messages (`src/platform/messaging`). */
  smsAnswers?: SmsAnswerHandler[];
  nav?: NavEntry[];
  home?: HomeEntry[];
  /** Blocks of the collectivité's public page (`/collectivites/:slug`). */
  collectivitePage?: CollectiviteSection[];
  /** Blocks of a signed-in person's space (`/espace`), each for the people it concerns. */
  space?: SpaceSection[];
  /** Blocks of the record of a person a helper accompanies (`/beneficiaires/:id`). */
  personRecord?: PersonRecordSection[];
  /** Blocks of the page of a helper's own activity report (`/activites/:id`). */
  activityReport?: ActivityReportSection[];
  /** Adds to the public page of a place of the directory. */
  placePage?: PlacePageSection[];
  /** Offers next steps (workshops, resources) to the result of the skills self-diagnosis. */
  skillsNextSteps?: SkillsNextStepSource[];
  /** Puts its public dates (training sessions…) on the network's agenda. */
  agenda?: AgendaSource[];
  /** Asset names of the module's stylesheets (its `assets/` folder), linked by every page its routes render. */
  styles?: readonly string[];
  /** The audit actions this module writes, code → French label (`src/platform/audit/actions.ts`). */
  auditActions?: AuditActionLabels;
  /** The open datasets this module builds, published by `donnees` (`src/platform/open-data.ts`). */
  datasets?: Dataset[];
  /** Adds its metrics to `/metrics` (gauges that read the database when scraped). */
  metrics?: ModuleMetrics;
};

/** Registers a module's metrics; what they report must hold for every app process alike. */
export type ModuleMetrics = (registry: Registry, ctx: ModuleContext) => void;
