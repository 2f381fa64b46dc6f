import type { FastifyInstance } from 'fastify';
import type { AccessTable, RouteContext } from '../../platform/module.ts';

/** Who may call each route of this file (see platform/module.ts). */
export const smsAccess: AccessTable = {};

export function smsRoutes(_app: FastifyInstance, _ctx: RouteContext): void {}
