/** A backup or restore problem, explained in French for whoever runs the command. */
export class BackupError extends Error {}
