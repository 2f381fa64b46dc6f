import type { ColumnType, Generated, Migration } from 'kysely';
import { sql } from 'kysely';
import {
  CONSENTEMENTS,
  DEMANDEURS,
  DEMARCHE_CODES,
  DUREE_CODES,
  PIECES_IDENTITE,
  STATUTS,
} from './vocabulary.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

declare module '../../platform/db/schema.ts' {
  interface Database {
    /** A helper trained to act on people's behalf ("habilité"); withdrawn when `withdrawn_at` is set. */
    habilitation: {
      user_id: string;
      collectivite_id: number;
      date_formation: ColumnType<string, string, string>;
      /** The training body or person who certified the training. */
      certified_by: string;
      granted_by: string | null;
      granted_at: ColumnType<Date, Date | undefined, Date>;
      withdrawn_at: Date | null;
      withdrawn_by: string | null;
      motif_retrait: string | null;
      /** When the inactivity warning was sent (cleared when the habilitation is granted again). */
      warned_at: Date | null;
    };
    /** The person's authorisation to a helper's structure (a place of the directory). */
    mandat: {
      id: Generated<string>;
      collectivite_id: number;
      lieu_id: string;
      mediateur_id: string | null;
      beneficiaire_id: string | null;
      prenom: string;
      nom: string;
      date_naissance: ColumnType<string | null, string | null | undefined, string | null>;
      piece_identite: string;
      telephone: string | null;
      consentement: 'presentiel' | 'sms';
      status: keyof typeof STATUTS;
      duree: string;
      /** The démarches asked for; each becomes an authorisation when the mandate starts. */
      demarches: string[];
      debut: Date | null;
      fin: Date | null;
      empreinte: string | null;
      sel: string;
      modele: string;
      renouvelle_id: string | null;
      created_at: CreatedAt;
      closed_at: Date | null;
      motif_fermeture: string | null;
    };
    /** One démarche of a mandate, revocable on its own. */
    autorisation: {
      id: Generated<string>;
      mandat_id: string;
      demarche: string;
      revoked_at: Date | null;
      revocation_id: string | null;
      /** The newer mandate (same person, démarche and structure) that replaced it. */
      replaced_by: string | null;
    };
    /** A revocation of one or more démarches, with its own attestation. */
    revocation: {
      id: Generated<string>;
      mandat_id: string;
      demarches: string[];
      requested_by: 'aidant' | 'personne' | 'remplacement';
      revoked_by: string | null;
      revoked_at: CreatedAt;
      empreinte: string;
    };
    /** A procedure a helper declares having done under a mandate. */
    mandat_usage: {
      id: Generated<string>;
      mandat_id: string;
      autorisation_id: string;
      mediateur_id: string | null;
      demarche: string;
      description: string;
      created_at: CreatedAt;
    };
    /** A remote consent asked by SMS: open 24 hours, answered once. */
    consentement_sms: {
      id: Generated<string>;
      mandat_id: string;
      telephone: string;
      sent_at: CreatedAt;
      expires_at: Date;
      status: 'envoye' | 'accepte' | 'refuse' | 'expire' | 'echec' | 'annule';
      answered_at: Date | null;
      message_id: string | null;
    };
    /** A mandate being prepared, step by step, by its helper; kept one day. */
    mandat_brouillon: {
      id: Generated<string>;
      mediateur_id: string;
      collectivite_id: number;
      data: ColumnType<Record<string, unknown>, string, string>;
      created_at: CreatedAt;
      updated_at: ColumnType<Date, Date | undefined, Date>;
    };
  }
}

const check = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} in (${values.map((v) => `'${v}'`).join(', ')}))`);
const arrayCheck = (column: string, values: readonly string[]) =>
  sql.raw(`check (${column} <@ array[${values.map((v) => `'${v}'`).join(', ')}]::text[])`);

export const mandatsMigrations: Record<string, Migration> = {
  '202612031200_mandats_init': {
    async up(db) {
      await sql`create table habilitation (
        user_id uuid primary key references app_user(id) on delete cascade,
        collectivite_id integer not null references collectivite(id),
        date_formation date not null,
        certifie_par text not null,
        accordee_par uuid references app_user(id) on delete set null,
        accordee_le timestamptz not null default now(),
        retiree_le timestamptz,
        retiree_par uuid references app_user(id) on delete set null,
        motif_retrait text,
        avertie_le timestamptz
      )`.execute(db);

      await sql`create table mandat (
        id uuid primary key default gen_random_uuid(),
        collectivite_id integer not null references collectivite(id),
        lieu_id uuid not null references lieu(id),
        mediateur_id uuid references app_user(id) on delete set null,
        beneficiaire_id uuid references beneficiaire(id) on delete set null,
        prenom text not null,
        nom text not null,
        date_naissance date,
        piece_identite text not null ${check('piece_identite', Object.keys(PIECES_IDENTITE))},
        telephone text,
        consentement text not null ${check('consentement', Object.keys(CONSENTEMENTS))},
        statut text not null ${check('statut', Object.keys(STATUTS))},
        duree text not null ${check('duree', DUREE_CODES)},
        demarches text[] not null ${arrayCheck('demarches', DEMARCHE_CODES)} check (cardinality(demarches) > 0),
        debut timestamptz,
        fin timestamptz,
        empreinte text unique,
        sel text not null,
        modele text not null,
        renouvelle_id uuid references mandat(id) on delete set null,
        created_at timestamptz not null default now(),
        ferme_le timestamptz,
        motif_fermeture text,
        check (statut = 'en_attente' or statut in ('refuse', 'annule') or (debut is not null and fin > debut and empreinte is not null))
      )`.execute(db);
      await sql`create index mandat_lieu on mandat (lieu_id, created_at desc)`.execute(db);
      await sql`create index mandat_mediateur on mandat (mediateur_id, created_at desc)`.execute(db);
      await sql`create index mandat_beneficiaire on mandat (beneficiaire_id)`.execute(db);
      // The expiry job's and the purge's scans.
      await sql`create index mandat_statut_fin on mandat (statut, fin)`.execute(db);

      await sql`create table revocation (
        id uuid primary key default gen_random_uuid(),
        mandat_id uuid not null references mandat(id) on delete cascade,
        demarches text[] not null ${arrayCheck('demarches', DEMARCHE_CODES)},
        demandee_par text not null ${check('demandee_par', [...Object.keys(DEMANDEURS), 'remplacement'])},
        par uuid references app_user(id) on delete set null,
        le timestamptz not null default now(),
        empreinte text not null unique
      )`.execute(db);
      await sql`create index revocation_mandat on revocation (mandat_id)`.execute(db);

      await sql`create table autorisation (
        id uuid primary key default gen_random_uuid(),
        mandat_id uuid not null references mandat(id) on delete cascade,
        demarche text not null ${check('demarche', DEMARCHE_CODES)},
        revoquee_le timestamptz,
        revocation_id uuid references revocation(id) on delete set null,
        remplacee_par uuid references mandat(id) on delete set null,
        unique (mandat_id, demarche)
      )`.execute(db);

      await sql`create table mandat_usage (
        id uuid primary key default gen_random_uuid(),
        mandat_id uuid not null references mandat(id) on delete cascade,
        autorisation_id uuid not null references autorisation(id) on delete cascade,
        mediateur_id uuid references app_user(id) on delete set null,
        demarche text not null,
        description text not null,
        le timestamptz not null default now()
      )`.execute(db);
      await sql`create index mandat_usage_mandat on mandat_usage (mandat_id, le)`.execute(db);
      await sql`create index mandat_usage_mediateur on mandat_usage (mediateur_id, le)`.execute(db);

      await sql`create table consentement_sms (
        id uuid primary key default gen_random_uuid(),
        mandat_id uuid not null references mandat(id) on delete cascade,
        telephone text not null,
        envoye_le timestamptz not null default now(),
        expire_le timestamptz not null,
        statut text not null ${check('statut', ['envoye', 'accepte', 'refuse', 'expire', 'echec', 'annule'])},
        repondu_le timestamptz,
        message_id text
      )`.execute(db);
      // At most one open request per phone number: an answer names its mandate without doubt.
      await sql`create unique index consentement_sms_ouvert on consentement_sms (telephone) where statut = 'envoye'`.execute(
        db,
      );
      await sql`create table sms_entrant (
        message_id text primary key,
        recu_le timestamptz not null default now()
      )`.execute(db);
      await sql`create table sms_outbox (
        id serial primary key,
        telephone text not null,
        texte text not null,
        created_at timestamptz not null default now()
      )`.execute(db);

      await sql`create table mandat_brouillon (
        id uuid primary key default gen_random_uuid(),
        mediateur_id uuid not null references app_user(id) on delete cascade,
        collectivite_id integer not null references collectivite(id) on delete cascade,
        data jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index mandat_brouillon_mediateur on mandat_brouillon (mediateur_id)`.execute(db);
    },
  },
  '202612041600_mandats_indexes': {
    async up(db) {
      // Deleting a mandate (the purge) checks each foreign key that points at it: without
      // these, every deleted mandate read these tables whole.
      await sql`create index mandat_renouvelle on mandat (renouvelle_id) where renouvelle_id is not null`.execute(
        db,
      );
      await sql`create index autorisation_remplacee_par on autorisation (remplacee_par) where remplacee_par is not null`.execute(
        db,
      );
      await sql`create index autorisation_revocation on autorisation (revocation_id) where revocation_id is not null`.execute(
        db,
      );
      await sql`create index consentement_sms_mandat on consentement_sms (mandat_id)`.execute(db);
      await sql`create index mandat_usage_autorisation on mandat_usage (autorisation_id)`.execute(db);
      // The newest mandates of a structure's list: read in order, stopping at 500.
      await sql`create index mandat_created on mandat (created_at desc)`.execute(db);
      // A helper's last activity (the daily habilitation job): their last sign-in and report.
      await sql`create index audit_event_signin on audit_event (subject_id, at) where action = 'auth.signin.success'`.execute(
        db,
      );
      await sql`create index activite_mediateur_created on activite (mediateur_id, created_at)`.execute(db);
    },
  },
  // One naming rule: `_at`/`_by` for timestamps and actors, `status` (see the README's glossary).
  '202612061100_mandats_naming': {
    async up(db) {
      const renames: [table: string, from: string, to: string][] = [
        ['habilitation', 'certifie_par', 'certified_by'],
        ['habilitation', 'accordee_par', 'granted_by'],
        ['habilitation', 'accordee_le', 'granted_at'],
        ['habilitation', 'retiree_le', 'withdrawn_at'],
        ['habilitation', 'retiree_par', 'withdrawn_by'],
        ['habilitation', 'avertie_le', 'warned_at'],
        ['mandat', 'statut', 'status'],
        ['mandat', 'ferme_le', 'closed_at'],
        ['autorisation', 'revoquee_le', 'revoked_at'],
        ['autorisation', 'remplacee_par', 'replaced_by'],
        ['revocation', 'demandee_par', 'requested_by'],
        ['revocation', 'par', 'revoked_by'],
        ['revocation', 'le', 'revoked_at'],
        ['mandat_usage', 'le', 'created_at'],
        ['consentement_sms', 'envoye_le', 'sent_at'],
        ['consentement_sms', 'expire_le', 'expires_at'],
        ['consentement_sms', 'statut', 'status'],
        ['consentement_sms', 'repondu_le', 'answered_at'],
      ];
      for (const [table, from, to] of renames)
        await sql`alter table ${sql.table(table)} rename column ${sql.ref(from)} to ${sql.ref(to)}`.execute(
          db,
        );
    },
  },
};
