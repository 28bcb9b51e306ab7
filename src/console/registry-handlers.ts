// Routes of the registry pages: the table, a contact's page and what can be done there (save,
// verify; re-verify, proposals and retirement when the registry-truth module is wired).
import type { ContactRecord, RegistryService } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import type { ConsoleShared } from './console-plugin.ts';
import {
  changesFrom,
  fieldOfProblem,
  valuesFromForm,
  valuesOf,
  type ContactFormValues,
  type FieldErrors,
} from './contact-form.ts';
import { validationProblems } from './registry-admin-handlers.ts';
import { renderContactBody, type ContactBodyInput, type ContactPageData } from './contact-page.ts';
import { parseRegistryQuery, renderRegistryPage } from './registry-page.ts';
import type { RegistryTruth } from './registry-truth-port.ts';
import { forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal } from '../access/index.ts';
import type { AuditQueries, AuditService } from '../audit/index.ts';
import type { App } from '../http/index.ts';
import type { MemberDirectory } from '../members/index.ts';
import type { ContactReachService } from '../stats/index.ts';

export interface RegistryPagesDeps {
  registry: RegistryService;
  audit: AuditService;
  auditQueries: AuditQueries;
  directory: MemberDirectory;
  /** Who can be reached through a messenger (shared with the statistics). */
  reach: ContactReachService;
  /** Issue #14's module; its sections appear on the contact page when present. */
  truth?: RegistryTruth | undefined;
}

type FormBody = Record<string, string | string[] | undefined>;

export function registryPages(deps: RegistryPagesDeps) {
  const linkStates = () => deps.reach.all();
  const forgetLinks = () => {
    deps.reach.forget();
  };

  /** The contact, if the reader may manage it: a coordinator of another country is refused. */
  function manageable(principal: Principal, id: string): ContactRecord {
    const record = deps.registry.view().contactRecordById.get(id);
    if (record === undefined) throw notFound('contact', id);
    if (!canManageCountry(principal, record.country))
      throw forbidden(`contacts of ${record.country} are managed by its coordinators`);
    return record;
  }

  async function pageData(context: PageContext, record: ContactRecord): Promise<ContactPageData> {
    const [history, links] = await Promise.all([
      deps.auditQueries.list({ subject: `contact:${record.id}`, limit: 20 }),
      deps.directory.contactLinks(),
    ]);
    const people = links.get(record.id);
    const memberIds = [
      ...(record.verifiedBy === undefined ? [] : [record.verifiedBy]),
      ...history.entries.flatMap((entry) =>
        entry.actor.startsWith('member:') ? [entry.actor.slice(7)] : [],
      ),
      ...(people?.memberIds ?? []),
    ];
    const truth =
      deps.truth === undefined
        ? undefined
        : {
            state: await deps.truth.state(context.principal, record.id),
            proposals: await deps.truth.pendingProposals(context.principal, record.id),
          };
    return {
      record,
      registry: deps.registry.view().file,
      today: deps.registry.todayIn(record.country),
      names: await deps.directory.names(memberIds),
      people,
      history: history.entries,
      truth,
    };
  }

  return (app: App, { pageContext, sendPage, sendFragment }: ConsoleShared) => {
    app.get('/console/registry', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const query = parseRegistryQuery(context, request.query as Record<string, unknown>);
      deps.audit.enqueue({
        actor: actorOf(context.principal),
        action: 'registry.read',
        subject: 'contacts',
        details: {
          via: 'console',
          country: query.country,
          competence: query.competence,
          q: query.q === '' ? undefined : 'name',
        },
      });
      const body = renderRegistryPage(context, query, {
        file: deps.registry.view().file,
        links: await linkStates(),
        todayIn: deps.registry.todayIn,
      });
      return sendPage(reply, context, {
        section: 'registry',
        title: context.t('console-registry-title'),
        body,
      });
    });

    app.get('/console/registry/contacts/:id', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const record = manageable(context.principal, (request.params as { id: string }).id);
      deps.audit.enqueue({
        actor: actorOf(context.principal),
        action: 'registry.read',
        subject: `contact:${record.id}`,
        details: { via: 'console' },
      });
      const data = await pageData(context, record);
      return sendPage(reply, context, {
        section: 'registry',
        title: context.text(record.name),
        body: renderContactBody(context, data, { values: valuesOf(record), errors: new Map() }),
      });
    });

    const renderBody = async (context: PageContext, record: ContactRecord, input: ContactBodyInput) =>
      renderContactBody(context, await pageData(context, record), input);

    app.post('/console/registry/contacts/:id', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const record = manageable(context.principal, (request.params as { id: string }).id);
      const values = valuesFromForm((request.body ?? {}) as FormBody);
      const { changes, errors } = changesFrom(context, values, record, deps.registry.view().file);
      if (errors.size > 0)
        return sendFragment(reply, await renderBody(context, record, { values, errors }), 422);
      if (Object.keys(changes).length === 0) {
        return sendFragment(
          reply,
          await renderBody(context, record, {
            values,
            errors,
            notice: { text: context.t('console-nothing-changed'), kind: 'ok' },
          }),
        );
      }
      let saved: ContactRecord;
      try {
        // A status set to retired hands the contact's work over, as the retire action does.
        saved = await deps.registry.editContact(context.principal, record.id, changes);
      } catch (error) {
        const problems = validationProblems(error);
        if (problems === undefined) throw error;
        const fieldErrors: FieldErrors = new Map();
        for (const problem of problems) {
          const field = fieldOfProblem(problem.path, values);
          if (!fieldErrors.has(field)) fieldErrors.set(field, problem.message);
        }
        return sendFragment(reply, await renderBody(context, record, { values, errors: fieldErrors }), 422);
      }
      forgetLinks();
      return sendFragment(
        reply,
        await renderBody(context, saved, {
          values: valuesOf(saved),
          errors: new Map(),
          notice: {
            text:
              changes.status === 'retired' && record.status !== 'retired'
                ? context.t('console-retired')
                : context.t('console-saved', { fields: Object.keys(changes).length }),
            kind: 'ok',
          },
        }),
      );
    });

    app.post('/console/registry/contacts/:id/verify', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const record = manageable(context.principal, (request.params as { id: string }).id);
      const verified = await deps.registry.verifyContact(context.principal, record.id);
      return sendFragment(
        reply,
        await renderBody(context, verified, {
          values: valuesOf(verified),
          errors: new Map(),
          notice: {
            text: context.t('console-verified-now', { date: context.date(verified.verifiedAt) }),
            kind: 'ok',
          },
        }),
      );
    });

    const truth = deps.truth;
    if (truth === undefined) return;
    const action = (
      path: string,
      run: (
        context: PageContext,
        record: ContactRecord,
        params: Record<string, string>,
        body: FormBody,
      ) => Promise<string>,
    ) => {
      app.post(path, { schema: { hide: true } }, async (request, reply) => {
        const context = pageContext(request, 'coordinator');
        const params = request.params as Record<string, string>;
        const record = manageable(context.principal, params.id ?? '');
        const notice = await run(context, record, params, (request.body ?? {}) as FormBody);
        const current = deps.registry.view().contactRecordById.get(record.id) ?? record;
        return sendFragment(
          reply,
          await renderBody(context, current, {
            values: valuesOf(current),
            errors: new Map(),
            notice: { text: notice, kind: 'ok' },
          }),
        );
      });
    };
    action('/console/registry/contacts/:id/reverify', async (context, record) => {
      await truth.reverify(context.principal, record.id);
      return context.t('console-reverify-sent');
    });
    action(
      '/console/registry/contacts/:id/proposals/:proposalId/approve',
      async (context, _record, params) => {
        await truth.approve(context.principal, params.proposalId ?? '');
        return context.t('console-proposal-approved');
      },
    );
    action(
      '/console/registry/contacts/:id/proposals/:proposalId/reject',
      async (context, _record, params) => {
        await truth.reject(context.principal, params.proposalId ?? '');
        return context.t('console-proposal-rejected');
      },
    );
    action('/console/registry/contacts/:id/retire', async (context, record, _params, body) => {
      const successor =
        typeof body.successorId === 'string' && body.successorId !== '' ? body.successorId : undefined;
      await truth.retire(context.principal, record.id, successor);
      return context.t('console-retired');
    });
  };
}

export type { ContactFormValues };
