import { createToken, listTokens, revokeToken, type TokenInfo } from '../../platform/auth/tokens.ts';
import { normaliseEmail } from '../../platform/auth/users.ts';
import { CliError } from '../../platform/cli-error.ts';
import type { Db } from '../../platform/db/database.ts';
import type { CliContext } from '../../platform/module.ts';
import { formatDateTime } from '../../platform/paris-time.ts';

const MAX_NAME_LENGTH = 100;
async function findAccount(db: Db, email: string) {
  const account = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'status'])
    .where('email', '=', normaliseEmail(email))
    .executeTakeFirst();
  if (!account) {
    throw new CliError(`Aucun compte n’a l’adresse ${email}. Voyez : npm run relais -- user list`);
  }
  return account;
}

function tokenLine(t: TokenInfo): string {
  const state = t.revokedAt ? 'révoqué' : 'actif';
  const used = t.lastUsedAt ? `utilisé le ${formatDateTime(t.lastUsedAt, 'short')}` : 'jamais utilisé';
  return `${t.id}  ${t.email.padEnd(32)} ${state.padEnd(8)} ${t.name}  (créé le ${formatDateTime(t.createdAt, 'short')}, ${used})`;
}

export function apiCli({ program, withDb }: CliContext): void {
  const token = program.command('token').description('Gérer les jetons d’API personnels (intégrations)');

  token
    .command('create')
    .description('Créer un jeton pour un compte ; il est affiché une seule fois')
    .requiredOption('--email <email>', 'adresse e-mail du compte au nom duquel le jeton agira')
    .requiredOption('--name <nom>', 'à quoi il sert (ex. « tableau de bord départemental »)')
    .action((options: { email: string; name: string }) =>
      withDb(async ({ db }) => {
        const name = options.name.trim();
        if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
          throw new CliError(`Le nom du jeton doit compter de 1 à ${MAX_NAME_LENGTH} caractères.`);
        }
        const account = await findAccount(db, options.email);
        if (account.status !== 'active') {
          throw new CliError(`Le compte ${account.email} est désactivé : il ne peut pas recevoir de jeton.`);
        }
        const clear = await createToken(db, account.id, name);
        console.log(`Jeton « ${name} » créé pour ${account.email}.`);
        console.log(
          'Copiez-le maintenant : il ne sera plus jamais affiché (seule son empreinte est gardée).',
        );
        console.log(clear);
        console.log('Envoyez-le dans l’en-tête « Authorization: Bearer <jeton> » des appels à /api/v1/.');
      }),
    );

  token
    .command('list')
    .description('Lister les jetons (actifs et révoqués), sans leur valeur')
    .option('--email <email>', 'seulement ceux de ce compte')
    .action((options: { email?: string }) =>
      withDb(async ({ db }) => {
        const account = options.email ? await findAccount(db, options.email) : undefined;
        const tokens = await listTokens(db, account?.id);
        if (tokens.length === 0) console.log('Aucun jeton.');
        for (const t of tokens) console.log(tokenLine(t));
      }),
    );

  token
    .command('revoke')
    .description('Révoquer un jeton : il cesse aussitôt de fonctionner')
    .argument('<id>', 'identifiant du jeton (voir token list)')
    .action((id: string) =>
      withDb(async ({ db }) => {
        if (!(await revokeToken(db, id))) {
          throw new CliError(
            `Aucun jeton actif n’a l’identifiant ${id}. Voyez : npm run relais -- token list`,
          );
        }
        console.log(`Jeton ${id} révoqué.`);
      }),
    );
}
