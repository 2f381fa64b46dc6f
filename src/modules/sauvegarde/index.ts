import type { RelaisModule } from '../../platform/module.ts';
import { sauvegardeCli } from './cli.ts';

/** Encrypted backups that prove they restore: `backup --out`, `backup --verify`, `restore`. */
export const sauvegarde: RelaisModule = { name: 'sauvegarde', cli: sauvegardeCli };
