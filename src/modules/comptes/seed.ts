import { createUser } from '../../platform/auth/users.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { findCollectiviteByCode } from '../territoires/index.ts';

/** Demo accounts, shown when `npm start` runs in demo mode and never created otherwise. */
export const DEMO_PASSWORD = 'relais-demo-2026';
export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.relais.example', name: 'Alice Administratrice', role: 'admin', collectivite: null },
  {
    email: 'coordination@demo.relais.example',
    name: 'Camille Coordinatrice',
    role: 'coordinateur',
    collectivite: '69266',
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
      memberships: [{ role: account.role, collectiviteId: collectivite?.id ?? null }],
    });
  }
}
