import type { ModuleContext } from '../../platform/module.ts';

/** Demo activities of the demo helper (written with the activity service). */
export async function seedActivites(_ctx: ModuleContext): Promise<void> {}
