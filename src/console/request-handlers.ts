// Routes of one formal request's page: its timeline, and the status change the API allows the
// reader (the request service checks the same rule again and audits the change).
import type { RegistryService } from '../registry/index.ts';
import { requestStatuses, type RequestService, type RequestStatus } from '../requests/index.ts';
import type { PageContext } from './console-context.ts';
import type { ConsoleShared } from './console-plugin.ts';
import { renderRequestBody, type RequestPageData } from './request-page.ts';
import { AppError } from '../errors/index.ts';
import type { App } from '../http/index.ts';
import type { MemberDirectory } from '../members/index.ts';

export interface RequestPagesDeps {
  requests: RequestService;
  directory: MemberDirectory;
  registry: RegistryService;
}

export function requestPages(deps: RequestPagesDeps) {
  async function pageData(context: PageContext, id: string): Promise<RequestPageData> {
    const request = await deps.requests.get(context.principal, id);
    const memberIds = [
      request.requesterMemberId,
      ...request.events.flatMap((event) => (event.actor.startsWith('member:') ? [event.actor.slice(7)] : [])),
    ];
    const view = deps.registry.view();
    const competences = new Map(view.file.competences.map((item) => [item.id, item.label]));
    return {
      request,
      names: await deps.directory.names(memberIds),
      contactName: (contactId) => {
        const record = contactId == null ? undefined : view.contactRecordById.get(contactId);
        return record === undefined ? (contactId ?? undefined) : context.text(record.name);
      },
      typeLabel: (type) => context.text(competences.get(type)) || type,
    };
  }

  return (app: App, { pageContext, sendPage, sendFragment }: ConsoleShared) => {
    app.get('/console/requests/:id', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const data = await pageData(context, (request.params as { id: string }).id);
      return sendPage(reply, context, {
        section: 'requests',
        title: context.t('console-request-title', { reference: data.request.ourReference }),
        body: renderRequestBody(context, data),
      });
    });

    app.post('/console/requests/:id/status', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const id = (request.params as { id: string }).id;
      const status = (request.body as { status?: unknown } | undefined)?.status;
      if (typeof status !== 'string' || !(requestStatuses as readonly string[]).includes(status))
        throw new AppError('bad_request', 'unknown status');
      await deps.requests.update(context.principal, id, { status: status as RequestStatus });
      const data = await pageData(context, id);
      return sendFragment(
        reply,
        renderRequestBody(
          context,
          data,
          context.t('console-request-status-changed', {
            status: context.t(`console-request-status-${status}`),
          }),
        ),
      );
    });
  };
}
