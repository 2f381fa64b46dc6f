export { type BackupResult, createBackup } from './backup.ts';
export type { BackupKeys } from './encryption.ts';
export { BackupError } from './errors.ts';
export type { BackupHeader } from './format.ts';
export type { TableCheck } from './load.ts';
export { type RestoreOptions, type RestoreResult, restoreBackup } from './restore.ts';
export { type VerifyReport, verifyBackup } from './verify.ts';
