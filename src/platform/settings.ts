import { needsReseal, openSecret, sealSecret } from './auth/secret-box.ts';
import type { Db } from './db/database.ts';

/** Reads a setting, creating it with `make()` the first time (safe when several processes race). */
export async function getOrCreateSetting(db: Db, key: string, make: () => string): Promise<string> {
  await db
    .insertInto('platform_setting')
    .values({ key, value: make() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('platform_setting')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return row.value;
}

/**
 * A setting that is a secret (the generated cookie secret): stored sealed (see
 * secret-box.ts); a value in clear or under an older key is sealed again on reading.
 */
export async function getOrCreateSecretSetting(db: Db, key: string, make: () => string): Promise<string> {
  const stored = await getOrCreateSetting(db, key, () => sealSecret(db, make()));
  const value = openSecret(db, stored);
  if (needsReseal(db, stored)) {
    await db
      .updateTable('platform_setting')
      .set({ value: sealSecret(db, value) })
      .where('key', '=', key)
      .where('value', '=', stored)
      .execute();
  }
  return value;
}
