import { randomBytes } from 'node:crypto';
import { Option } from 'commander';
import { audit } from '../../platform/audit/journal.ts';
import { ROLES, type Role, systemActor } from '../../platform/auth/policy.ts';
import { createUser, normaliseEmail } from '../../platform/auth/users.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { CliContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';

export function comptesCli({ program, withDb }: CliContext): void {
  const user = program.command('user').description('Gérer les comptes des professionnels');

  user
    .command('add')
    .description('Créer un compte ; un mot de passe provisoire est affiché une seule fois')
    .requiredOption('--email <email>', 'adresse e-mail de la personne')
    .requiredOption('--name <nom>', 'prénom et nom')
    .addOption(new Option('--role <rôle>', 'rôle').choices(Object.keys(ROLES)).makeOptionMandatory())
    .option('--collectivite <code>', 'code INSEE ou SIREN de la collectivité (sauf pour admin)')
    .action((options: { email: string; name: string; role: Role; collectivite?: string }) =>
      withDb(async ({ db }) => {
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
        const taken = await db
          .selectFrom('app_user')
          .select('id')
          .where('email', '=', email)
          .executeTakeFirst();
        if (taken) throw new CliError(`Un compte existe déjà pour ${email}.`);
        const password = randomBytes(15).toString('base64url');
        const userId = await createUser(db, {
          email,
          name: options.name,
          password,
          memberships: [{ role: options.role, collectiviteId: collectivite?.id ?? null }],
        });
        await audit(db, {
          actor: systemActor('cli'),
          action: 'user.create',
          collectiviteId: collectivite?.id ?? null,
          subject: { type: 'user', id: userId },
          details: { role: options.role },
        });
        console.log(`Compte créé pour ${email} (${ROLES[options.role]}).`);
        console.log(`Mot de passe provisoire, affiché une seule fois : ${password}`);
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
}
