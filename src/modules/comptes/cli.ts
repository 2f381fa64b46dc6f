import { Option } from 'commander';
import { audit } from '../../platform/audit/journal.ts';
import { createInvitation } from '../../platform/auth/invitations.ts';
import { ROLES, type Role, systemActor } from '../../platform/auth/policy.ts';
import { resealStoredSecrets } from '../../platform/auth/reseal.ts';
import { SecretKeyError } from '../../platform/auth/secret-box.ts';
import { normaliseEmail } from '../../platform/auth/users.ts';
import { CliError } from '../../platform/cli-error.ts';
import { sendMail } from '../../platform/mail.ts';
import type { CliContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';
import { invitationMail } from './mails.ts';

export function comptesCli({ program, withDb }: CliContext): void {
  const user = program.command('user').description('Gérer les comptes des professionnels');

  user
    .command('add')
    .description('Inviter une personne : affiche le lien d’invitation (et l’envoie par courriel)')
    .requiredOption('--email <email>', 'adresse e-mail de la personne')
    .requiredOption('--name <nom>', 'prénom et nom')
    .addOption(new Option('--role <rôle>', 'rôle').choices(Object.keys(ROLES)).makeOptionMandatory())
    .option('--collectivite <code>', 'code INSEE ou SIREN de la collectivité (sauf pour admin)')
    .action((options: { email: string; name: string; role: Role; collectivite?: string }) =>
      withDb(async ({ db, config }) => {
        const email = normaliseEmail(options.email);
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
          throw new CliError(`Adresse e-mail invalide : ${options.email}`);
        if ((options.role === 'admin') !== (options.collectivite === undefined)) {
          throw new CliError(
            options.role === 'admin'
              ? 'Le rôle admin couvre tout l’OPSN : n’indiquez pas de collectivité.'
              : `Le rôle ${options.role} appartient à une collectivité : indiquez --collectivite <code>.`,
          );
        }
        const collectivite = options.collectivite
          ? await findCollectiviteByCode(db, options.collectivite)
          : undefined;
        if (options.collectivite && !collectivite) {
          throw new CliError(
            `La collectivité ${options.collectivite} n’est pas membre. Voyez : npm run relais -- collectivite list`,
          );
        }
        const invited = await createInvitation(db, {
          email,
          name: options.name,
          membership: { role: options.role, collectiviteId: collectivite?.id ?? null },
          invitedBy: null,
        });
        if (!invited.ok) throw new CliError(invited.reason);
        await audit(db, {
          actor: systemActor('cli'),
          action: 'user.invite',
          collectiviteId: collectivite?.id ?? null,
          subject: { type: 'user', id: invited.userId },
          details: { role: options.role },
        });
        const link = `${config.publicUrl}/invitation/${invited.token}`;
        await sendMail(db, config, invitationMail(email, options.name, link));
        console.log(`Invitation créée pour ${email} (${ROLES[options.role]}), valable 7 jours.`);
        console.log(`Lien d’invitation, à usage unique : ${link}`);
      }),
    );

  user
    .command('list')
    .description('Lister les comptes et leurs rôles')
    .action(() =>
      withDb(async ({ db }) => {
        const rows = await db
          .selectFrom('app_user as u')
          .leftJoin('membership as m', 'm.user_id', 'u.id')
          .select(['u.email', 'u.name', 'u.status', 'm.role', 'm.collectivite_id'])
          .orderBy('u.email')
          .execute();
        if (rows.length === 0) console.log('Aucun compte.');
        for (const r of rows) {
          console.log(
            `${r.email.padEnd(40)} ${r.status.padEnd(9)} ${r.role ?? '—'}${r.collectivite_id ? ` (${r.collectivite_id})` : ''}`,
          );
        }
      }),
    );

  program
    .command('secrets')
    .description('Gérer les secrets conservés (graines TOTP, secret des cookies)')
    .command('reseal')
    .description(
      'Rechiffrer avec RELAIS_SECRET_KEY les secrets en clair ou chiffrés par une ancienne clé (après une rotation)',
    )
    .action(() =>
      withDb(async ({ db, config }) => {
        if (!config.secretKeys.current)
          throw new CliError('RELAIS_SECRET_KEY est manquante : rien ne peut être chiffré.');
        const count = await resealStoredSecrets(db).catch((error: unknown) => {
          throw error instanceof SecretKeyError ? new CliError(error.message) : error;
        });
        console.log(
          `Secrets rechiffrés : ${count.totpSecrets} graine(s) TOTP, ${count.enrolSecrets} activation(s) en cours, ${count.settings} réglage(s).`,
        );
      }),
    );
}
