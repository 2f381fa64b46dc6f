import { createUser } from '../../platform/auth/users.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';

/**
 * Demo accounts, one per role, created only in demo mode. Their TOTP secrets are public
 * (printed at start) so that anyone trying the demo can add them to an authenticator app.
 */
export const DEMO_PASSWORD = 'relais-demo-2026';
export const DEMO_ACCOUNTS = [
  {
    email: 'admin@demo.relais.example',
    name: 'Alice Administratrice',
    role: 'admin',
    collectivite: null,
    totpSecret: 'CR7MJ4LZKOIGWK3BM76BCFLMR35CXD2U',
  },
  {
    email: 'coordination@demo.relais.example',
    name: 'Camille Coordinatrice',
    role: 'coordinateur',
    collectivite: '69266',
    totpSecret: 'RYSPWTE7JVHSOLAVAY6JDECY34HL6HGR',
  },
  {
    email: 'mediation@demo.relais.example',
    name: 'Mehdi Médiateur',
    role: 'mediateur',
    collectivite: '69266',
    totpSecret: 'WHUUXLTD4PM45QF534ETWCWNDNLWFNCO',
  },
  {
    email: 'formation@demo.relais.example',
    name: 'Fanny Formatrice',
    role: 'formateur',
    collectivite: '42207',
    totpSecret: 'G2OQXAPT64GLWCNHBMT7I6BYTNC3W23U',
  },
] as const;

export async function seedComptes({ db }: ModuleContext): Promise<void> {
  for (const account of DEMO_ACCOUNTS) {
    const exists = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', account.email)
      .executeTakeFirst();
    if (exists) continue;
    const collectivite = account.collectivite
      ? await findCollectiviteByCode(db, account.collectivite)
      : undefined;
    await createUser(db, {
      email: account.email,
      name: account.name,
      password: DEMO_PASSWORD,
      totpSecret: account.totpSecret,
      memberships: [{ role: account.role, collectiviteId: collectivite?.id ?? null }],
    });
  }
}
