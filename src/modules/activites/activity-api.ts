import type { FastifyInstance } from 'fastify';
import type { AccessTable, ModuleContext } from '../../platform/module.ts';

/** Who may call each `/api/v1` route of this file. */
export const activityApiAccess: AccessTable = {};

export function activityApi(_api: FastifyInstance, _ctx: ModuleContext): void {}
