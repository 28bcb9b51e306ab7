import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AuthorityChanges,
  AuthorityRecord,
  ContactChanges,
  ContactRecord,
  NewContactRecord,
  RegistryFileSchema,
  TreatyChanges,
  TreatyRecord,
} from './registry-format.ts';
import { paginate } from './registry-queries.ts';
import {
  AuthorityPage,
  AuthorityQuery,
  CompetencePage,
  ContactPage,
  ContactQuery,
  CountryPage,
  IdParams,
  ImportBody,
  ImportQuery,
  ImportSummaryBody,
  PageQuery,
  TreatyPage,
  TreatyQuery,
  readErrors,
  registryValidatorCompiler,
  writeErrors,
} from './registry-route-schemas.ts';
import { auditedRead } from './registry-read-audit.ts';
import type { RegistryService } from './registry-service.ts';
import { requirementRoutes } from './requirement-routes.ts';
import { notFound } from '../errors/index.ts';
import type { AuditService } from '../audit/index.ts';
import { createSerializedBodies, requireRole, sendJsonBytes, serializeAs200 } from '../http/index.ts';

/** Largest registry file the import route accepts; other routes keep the app's body limit. */
export const importBodyLimitBytes = 10 * 1024 * 1024;

const noContent = { 204: Type.Null() };

/** The Fastify instance the routes are declared on, with TypeBox types. */
type RegistryApp = Parameters<FastifyPluginAsyncTypebox>[0];
type AuditedRead = ReturnType<typeof auditedRead>;

/** The registry API: reads for every member, writes for coordinators (own country) and admins. */
export function registryRoutes({
  registry,
  audit,
}: {
  registry: RegistryService;
  audit: AuditService;
}): FastifyPluginAsyncTypebox {
  const audited = auditedRead(audit);

  return async (app) => {
    app.setValidatorCompiler(registryValidatorCompiler);
    await app.register(requirementRoutes({ registry, audited }));
    vocabularyRoutes(app, registry, audited);
    authorityRoutes(app, registry, audited);
    contactRoutes(app, registry, audited);
    treatyRoutes(app, registry, audited);
    wholeRegistryRoutes(app, registry);
  };
}

/** The lists every answer is spelled in: countries and competences. */
function vocabularyRoutes(app: RegistryApp, registry: RegistryService, audited: AuditedRead): void {
  app.get(
    '/v1/countries',
    {
      schema: {
        tags: ['registry'],
        summary: 'Countries, with names in English and Russian',
        querystring: PageQuery,
        response: { 200: CountryPage, ...readErrors },
      },
    },
    async (request) => {
      audited(request, 'countries');
      return paginate(registry.countries(), request.query);
    },
  );

  app.get(
    '/v1/competences',
    {
      schema: {
        tags: ['registry'],
        summary: 'The competence vocabulary',
        querystring: PageQuery,
        response: { 200: CompetencePage, ...readErrors },
      },
    },
    async (request) => {
      audited(request, 'competences');
      return paginate(registry.competences(), request.query);
    },
  );
}

/** Authorities: read by members, kept by coordinators (own country) and admins. */
function authorityRoutes(app: RegistryApp, registry: RegistryService, audited: AuditedRead): void {
  app.get(
    '/v1/authorities',
    {
      schema: {
        tags: ['registry'],
        summary: 'Authorities, by country and central-authority competence',
        querystring: AuthorityQuery,
        response: { 200: AuthorityPage, ...readErrors },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      audited(request, 'authorities', filter);
      return paginate(registry.authorities(filter), { limit, offset });
    },
  );
  app.get(
    '/v1/authorities/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'One authority',
        params: IdParams,
        response: { 200: AuthorityRecord, ...readErrors },
      },
    },
    async (request) => {
      audited(request, `authority:${request.params.id}`);
      const authority = registry.view().authorityRecordById.get(request.params.id);
      if (authority === undefined) throw notFound('authority', request.params.id);
      return authority;
    },
  );
  app.post(
    '/v1/authorities',
    {
      schema: {
        tags: ['registry'],
        summary: 'Add an authority (coordinators: own country)',
        body: AuthorityRecord,
        response: { 201: AuthorityRecord, ...writeErrors },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'coordinator');
      return reply.code(201).send(await registry.createAuthority(actor, request.body));
    },
  );
  app.patch(
    '/v1/authorities/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Change fields of an authority',
        params: IdParams,
        body: AuthorityChanges,
        response: { 200: AuthorityRecord, ...writeErrors },
      },
    },
    async (request) =>
      registry.updateAuthority(requireRole(request, 'coordinator'), request.params.id, request.body),
  );
  app.delete(
    '/v1/authorities/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Remove an authority without contacts',
        params: IdParams,
        response: { ...noContent, ...writeErrors },
      },
    },
    async (request, reply) => {
      await registry.deleteAuthority(requireRole(request, 'coordinator'), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** Contact points: read by members, kept and verified by coordinators (own country) and admins. */
function contactRoutes(app: RegistryApp, registry: RegistryService, audited: AuditedRead): void {
  // A page is a function of the registry view and the query: serialized once per view.
  const contactPages = createSerializedBodies<object>();
  app.get(
    '/v1/contacts',
    {
      schema: {
        tags: ['registry'],
        summary: 'Contact points, filtered by country, competence, status, authority and staleness',
        querystring: ContactQuery,
        response: { 200: ContactPage, ...readErrors },
      },
    },
    async (request, reply) => {
      const { limit, offset, ...filter } = request.query;
      audited(request, 'contacts', filter);
      const page = () => paginate(registry.contacts(filter), { limit, offset });
      // Staleness is counted from today: only the other filters give the same page all day long.
      if (filter.stale !== undefined) return page();
      const body = contactPages.body(registry.view(), JSON.stringify(request.query), () =>
        serializeAs200(reply, page()),
      );
      sendJsonBytes(reply, body);
      return undefined;
    },
  );
  app.get(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'One contact point',
        params: IdParams,
        response: { 200: ContactRecord, ...readErrors },
      },
    },
    async (request) => {
      audited(request, `contact:${request.params.id}`);
      const contact = registry.view().contactRecordById.get(request.params.id);
      if (contact === undefined) throw notFound('contact', request.params.id);
      return contact;
    },
  );
  app.post(
    '/v1/contacts',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Add a contact point (coordinators: own country); without verifiedAt it counts as verified now by the caller',
        body: NewContactRecord,
        response: { 201: ContactRecord, ...writeErrors },
      },
    },
    async (request, reply) => {
      const actor = requireRole(request, 'coordinator');
      return reply.code(201).send(await registry.createContact(actor, request.body));
    },
  );
  app.patch(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Change any fields of a contact (workingHours, status, outOfOffice, deputy, ...); status retired hands their work over (deputy names the successor), as POST /v1/contacts/:id/retire',
        params: IdParams,
        body: ContactChanges,
        response: { 200: ContactRecord, ...writeErrors },
      },
    },
    async (request) =>
      registry.editContact(requireRole(request, 'coordinator'), request.params.id, request.body),
  );
  app.delete(
    '/v1/contacts/:id',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Remove a contact point; refused (409) while it holds open consultations or pending requests: retire it first',
        params: IdParams,
        response: { ...noContent, ...writeErrors },
      },
    },
    async (request, reply) => {
      await registry.deleteContact(requireRole(request, 'coordinator'), request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/v1/contacts/:id/verify',
    {
      schema: {
        tags: ['registry'],
        summary: 'Record that the caller verified the contact today',
        params: IdParams,
        response: { 200: ContactRecord, ...writeErrors },
      },
    },
    async (request) => registry.verifyContact(requireRole(request, 'coordinator'), request.params.id),
  );
}

/** Treaties: read by members, kept by admins. */
function treatyRoutes(app: RegistryApp, registry: RegistryService, audited: AuditedRead): void {
  app.get(
    '/v1/treaties',
    {
      schema: {
        tags: ['registry'],
        summary: 'Treaties, by party country and competence covered',
        querystring: TreatyQuery,
        response: { 200: TreatyPage, ...readErrors },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      audited(request, 'treaties', filter);
      return paginate(registry.treaties(filter), { limit, offset });
    },
  );
  app.get(
    '/v1/treaties/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'One treaty',
        params: IdParams,
        response: { 200: TreatyRecord, ...readErrors },
      },
    },
    async (request) => {
      audited(request, `treaty:${request.params.id}`);
      const treaty = registry.view().treatyRecordById.get(request.params.id);
      if (treaty === undefined) throw notFound('treaty', request.params.id);
      return treaty;
    },
  );
  app.post(
    '/v1/treaties',
    {
      schema: {
        tags: ['registry'],
        summary: 'Add a treaty (admins)',
        body: TreatyRecord,
        response: { 201: TreatyRecord, ...writeErrors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registry.createTreaty(requireRole(request, 'admin'), request.body)),
  );
  app.patch(
    '/v1/treaties/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Change fields of a treaty (admins)',
        params: IdParams,
        body: TreatyChanges,
        response: { 200: TreatyRecord, ...writeErrors },
      },
    },
    async (request) => registry.updateTreaty(requireRole(request, 'admin'), request.params.id, request.body),
  );
  app.delete(
    '/v1/treaties/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Remove a treaty (admins)',
        params: IdParams,
        response: { ...noContent, ...writeErrors },
      },
    },
    async (request, reply) => {
      await registry.deleteTreaty(requireRole(request, 'admin'), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** The whole registry as one file, in and out (admins). */
function wholeRegistryRoutes(app: RegistryApp, registry: RegistryService): void {
  app.post(
    '/v1/registry/import',
    {
      bodyLimit: importBodyLimitBytes,
      schema: {
        tags: ['registry'],
        summary:
          'Replace the whole registry with a registry file (admins); every problem is listed with its JSON path, and nothing changes on error',
        querystring: ImportQuery,
        body: ImportBody,
        response: { 200: ImportSummaryBody, ...writeErrors },
      },
    },
    async (request) => {
      const actor = requireRole(request, 'admin');
      const dryRun = request.query.dryRun === true;
      const summary = await registry.importRegistry(actor, request.body, { dryRun });
      return { dryRun, ...summary };
    },
  );
  app.get(
    '/v1/registry/export',
    {
      schema: {
        tags: ['registry'],
        summary: 'The whole registry as a registry file (admins)',
        response: { 200: RegistryFileSchema, ...readErrors },
      },
    },
    async (request, reply) => {
      const file = await registry.exportRegistry(requireRole(request, 'admin'));
      // Serialized here, not from the schema (which writes optional fields last), so the
      // export keeps the file's key order and diffs cleanly against the imported file.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(file, null, 1) as never);
    },
  );
}
