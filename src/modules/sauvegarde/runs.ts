import { sql } from 'kysely';
import { audit } from '../../platform/audit/journal.ts';
import { systemActor } from '../../platform/auth/policy.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { sendMail } from '../../platform/mail.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { BackupRunKind } from './tables.ts';

export const JOB_ACTOR = systemActor('tâche planifiée');

export type RunRecord = {
  kind: BackupRunKind;
  startedAt: Date;
  ok: boolean;
  file?: string | undefined;
  bytes?: number | undefined;
  rows?: number | undefined;
  detail: string;
};

/** Records a finished run, and journals it: a backup copies, a drill reads, every person's data. */
export async function recordRun(db: Db, run: RunRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('backup_run')
      .values({
        kind: run.kind,
        started_at: run.startedAt,
        ok: run.ok,
        file: run.file ?? null,
        bytes: run.bytes ?? null,
        rows: run.rows ?? null,
        detail: run.detail,
      })
      .execute();
    await audit(trx, {
      actor: JOB_ACTOR,
      action: run.kind === 'backup' ? 'backup.create' : 'backup.drill',
      ...(run.file ? { subject: { type: 'sauvegarde', id: run.file } } : {}),
      details: {
        resultat: run.ok ? 'reussi' : 'echoue',
        ...(run.rows === undefined ? {} : { lignes: run.rows }),
      },
    });
  });
}

/** The latest run of each kind, and the latest that succeeded: what `/metrics` reports. */
export async function latestBackupRuns(db: Db) {
  const { rows } = await sql<{
    kind: BackupRunKind;
    ok: boolean;
    finished_at: Date;
    bytes: string | null;
  }>`
    (select distinct on (kind) kind, ok, finished_at, bytes from backup_run
      order by kind, finished_at desc, id desc)
    union all
    (select distinct on (kind) kind, ok, finished_at, bytes from backup_run where ok
      order by kind, finished_at desc, id desc)`.execute(db);
  const latest = (kind: BackupRunKind) =>
    rows.filter((r) => r.kind === kind).sort((a, b) => b.finished_at.getTime() - a.finished_at.getTime());
  return Object.fromEntries(
    (['backup', 'drill'] as const).map((kind) => {
      const runs = latest(kind);
      return [kind, { last: runs[0], lastSuccess: runs.find((r) => r.ok) }];
    }),
  ) as Record<
    BackupRunKind,
    { last: (typeof rows)[number] | undefined; lastSuccess: (typeof rows)[number] | undefined }
  >;
}

/** Tells every active OPSN administrator that a scheduled backup or drill failed, and why. */
export async function mailAdministrators(
  db: Db,
  config: Config,
  mail: { subject: string; text: string },
): Promise<number> {
  const people = await db
    .selectFrom('membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select('u.email')
    .distinct()
    .where('u.status', '=', 'active')
    .where('m.role', '=', 'admin')
    .execute();
  for (const { email } of people) await sendMail(db, config, { to: email, ...mail });
  return people.length;
}

/**
 * A failed backup or drill: recorded, and mailed to the administrators with `error`'s message
 * between `intro` and `advice`. Returns the error, for the job to throw (its run fails).
 */
export async function recordFailure(
  ctx: ModuleContext,
  run: { kind: BackupRunKind; startedAt: Date; error: unknown },
  mail: { subject: string; intro: string; advice: string[] },
): Promise<unknown> {
  const reason = (run.error as Error).message;
  await recordRun(ctx.db, { kind: run.kind, startedAt: run.startedAt, ok: false, detail: reason });
  const when = run.startedAt.toLocaleString('fr-FR', { timeZone: 'Europe/Paris' });
  await mailAdministrators(ctx.db, ctx.config, {
    subject: mail.subject,
    text: [mail.intro.replace('{quand}', when), '', reason, '', ...mail.advice].join('\n'),
  });
  return run.error;
}
