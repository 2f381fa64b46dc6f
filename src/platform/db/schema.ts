/**
 * The database's tables, as Kysely sees them. Each module adds its own tables to this
 * interface by declaration merging (see `src/modules/territoires/tables.ts`), so the
 * schema is owned by the module that migrates it.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules through declaration merging
export interface Database {}
