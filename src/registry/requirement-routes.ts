import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { NewRequirementRecord, RequirementChanges, RequirementRecord } from './registry-format.ts';
import { paginate } from './registry-queries.ts';
import {
  IdParams,
  RequirementPage,
  RequirementQuery,
  readErrors,
  writeErrors,
} from './registry-route-schemas.ts';
import type { RegistryService } from './registry-service.ts';
import { findSheets } from './requirement-sheets.ts';
import { notFound } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import { requireRole } from '../http/index.ts';

const noContent = { 204: Type.Null() };

/** Requirement sheets: what each country needs in a request; writes for its coordinators and admins. */
export function requirementRoutes({
  registry,
  audited,
}: {
  registry: RegistryService;
  audited: (request: FastifyRequest, subject: string, filters?: Record<string, unknown>) => Principal;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/requirements',
      {
        schema: {
          tags: ['registry'],
          summary:
            "What a country needs in a request: with `competence`, each country's sheet for it or its country-wide default",
          description:
            "Each item is a sheet in the registry file format plus `derived` (computed, not part of the file): `legalBases` (treaties linking the asker's country, `askerCountry` or the caller's, with the sheet's country), `stale` and `fallbackFor` (the competence asked about when the default sheet answers).",
          querystring: RequirementQuery,
          response: { 200: RequirementPage, ...readErrors },
        },
      },
      async (request) => {
        const { limit, offset, ...filter } = request.query;
        const principal = audited(request, 'requirements', filter);
        const answers = findSheets(
          registry.view(),
          { ...filter, askerCountry: filter.askerCountry ?? principal.country ?? undefined },
          registry.todayIn,
        );
        const items = answers.map(({ sheet, fallbackFor, stale, legalBases }) => ({
          ...sheet,
          derived: {
            fallbackFor,
            stale,
            legalBases: legalBases.map((treaty) => ({ id: treaty.id, name: treaty.name })),
          },
        }));
        return paginate(items, { limit, offset });
      },
    );
    app.get(
      '/v1/requirements/:id',
      {
        schema: {
          tags: ['registry'],
          summary: 'One requirement sheet',
          params: IdParams,
          response: { 200: RequirementRecord, ...readErrors },
        },
      },
      async (request) => {
        audited(request, `requirement:${request.params.id}`);
        const sheet = registry.view().requirementRecordById.get(request.params.id);
        if (sheet === undefined) throw notFound('requirement sheet', request.params.id);
        return sheet;
      },
    );
    app.post(
      '/v1/requirements',
      {
        schema: {
          tags: ['registry'],
          summary:
            'Add a requirement sheet (coordinators: own country); it counts as verified now by the caller',
          body: NewRequirementRecord,
          response: { 201: RequirementRecord, ...writeErrors },
        },
      },
      async (request, reply) => {
        const actor = requireRole(request, 'coordinator');
        return reply.code(201).send(await registry.createRequirement(actor, request.body));
      },
    );
    app.patch(
      '/v1/requirements/:id',
      {
        schema: {
          tags: ['registry'],
          summary: 'Change fields of a requirement sheet (verification is recorded by /verify only)',
          params: IdParams,
          body: RequirementChanges,
          response: { 200: RequirementRecord, ...writeErrors },
        },
      },
      async (request) =>
        registry.updateRequirement(requireRole(request, 'coordinator'), request.params.id, request.body),
    );
    app.delete(
      '/v1/requirements/:id',
      {
        schema: {
          tags: ['registry'],
          summary: 'Remove a requirement sheet',
          params: IdParams,
          response: { ...noContent, ...writeErrors },
        },
      },
      async (request, reply) => {
        await registry.deleteRequirement(requireRole(request, 'coordinator'), request.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/v1/requirements/:id/verify',
      {
        schema: {
          tags: ['registry'],
          summary: 'Record that the caller verified the sheet today',
          params: IdParams,
          response: { 200: RequirementRecord, ...writeErrors },
        },
      },
      async (request) => registry.verifyRequirement(requireRole(request, 'coordinator'), request.params.id),
    );
  };
}
