import type { Db } from '../db/database.ts';
import { needsReseal, openSecret, sealSecret } from './secret-box.ts';

/** The stored secrets sealed again with the current key (after a rotation, or when a key is first set). */
export type ResealCount = { totpSecrets: number; enrolSecrets: number; settings: number };

// The signing secret of the referrals' answer links (module orientations) is one too.
const SECRET_SETTINGS = ['cookie_secret', 'orientation_link_secret'];

/** Seals again each stored value that needs it; `write` replaces it only if it did not change meanwhile. */
async function resealEach<K>(
  db: Db,
  rows: { key: K; stored: string | null }[],
  write: (key: K, stored: string, sealed: string) => Promise<unknown>,
): Promise<number> {
  let count = 0;
  for (const { key, stored } of rows) {
    if (!stored || !needsReseal(db, stored)) continue;
    await write(key, stored, sealSecret(db, openSecret(db, stored)));
    count++;
  }
  return count;
}

/**
 * Seals again, with the current key, every stored secret that is in clear or under an
 * older key (`relais secrets reseal`): afterwards older keys may be dropped.
 */
export async function resealStoredSecrets(db: Db): Promise<ResealCount> {
  const users = await db.selectFrom('app_user').select(['id as key', 'totp_secret as stored']).execute();
  const totpSecrets = await resealEach(db, users, (id, stored, sealed) =>
    db
      .updateTable('app_user')
      .set({ totp_secret: sealed })
      .where('id', '=', id)
      .where('totp_secret', '=', stored)
      .execute(),
  );
  const pending = await db
    .selectFrom('pending_signin')
    .select(['id as key', 'enrol_secret as stored'])
    .execute();
  const enrolSecrets = await resealEach(db, pending, (id, stored, sealed) =>
    db
      .updateTable('pending_signin')
      .set({ enrol_secret: sealed })
      .where('id', '=', id)
      .where('enrol_secret', '=', stored)
      .execute(),
  );
  const rows = await db
    .selectFrom('platform_setting')
    .select(['key', 'value as stored'])
    .where('key', 'in', SECRET_SETTINGS)
    .execute();
  const settings = await resealEach(db, rows, (key, stored, sealed) =>
    db
      .updateTable('platform_setting')
      .set({ value: sealed })
      .where('key', '=', key)
      .where('value', '=', stored)
      .execute(),
  );
  return { totpSecrets, enrolSecrets, settings };
}
