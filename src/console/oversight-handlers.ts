// /console/requests, /console/consultations and /console/audit: what is pending with whom, how
// consultations were routed (never their bodies), and the audit log with its chain check.
import type { RequestService } from '../requests/index.ts';
import type { ConsoleShared } from './console-plugin.ts';
import { actionLabel, actorName } from './contact-page.ts';
import { html } from './html.ts';
import { badge, checkbox, dataTable, link, pageParameter, pagination, textParameter } from './page-parts.ts';
import { isAdmin } from '../access/index.ts';
import type { AuditQueries, AuditService } from '../audit/index.ts';
import type { ConsultationQueries } from '../consultations/index.ts';
import type { App } from '../http/index.ts';
import type { MemberDirectory } from '../members/index.ts';

export interface OversightPagesDeps {
  requests: RequestService;
  consultationQueries: ConsultationQueries;
  audit: AuditService;
  auditQueries: AuditQueries;
  directory: MemberDirectory;
}

const pageSize = 100;
/** Requests per page: a coordinator scans them, escalations first. */
const requestsPageSize = 50;
/** The most requests the page reads. */
const maxRequests = 20_000;

export function oversightPages(deps: OversightPagesDeps) {
  return (app: App, { pageContext, sendPage, sendFragment }: ConsoleShared) => {
    app.get('/console/requests', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const { t } = context;
      const query = request.query as Record<string, unknown>;
      const from = textParameter(query, 'from', 2)?.toUpperCase();
      const to = textParameter(query, 'to', 2)?.toUpperCase();
      const type = textParameter(query, 'type', 64);
      const overdue = textParameter(query, 'overdue') === '1';
      // The service applies who may see what (a coordinator: requests from or to their country).
      // Escalations first across all of them, so the whole visible list is read (in batches), then
      // sorted and cut into pages; a network has thousands of requests, not millions.
      const all = [];
      for (let offset = 0; offset < maxRequests; offset += 500) {
        const batch = await deps.requests.list(context.principal, {
          limit: 500,
          offset,
          ...(isAdmin(context.principal) && from !== undefined ? { country: from } : {}),
        });
        all.push(...batch.items);
        if (batch.items.length < 500) break;
      }
      const items = all
        .filter(
          (item) =>
            (from === undefined || item.fromCountry === from) &&
            (to === undefined || item.toCountry === to) &&
            (type === undefined || item.type === type) &&
            (!overdue || item.escalatedAt !== null || item.unansweredNudges > 0),
        )
        // Escalations first, then those nudged without an answer, then the oldest.
        .sort(
          (a, b) =>
            Number(b.escalatedAt !== null) - Number(a.escalatedAt !== null) ||
            b.unansweredNudges - a.unansweredNudges ||
            a.sentAt.localeCompare(b.sentAt),
        );
      const pages = Math.max(1, Math.ceil(items.length / requestsPageSize));
      const page = Math.min(pageParameter(query), pages);
      const rows = items
        .slice((page - 1) * requestsPageSize, page * requestsPageSize)
        .map((item) => [
          html`<a href="/console/requests/${item.id}"
              >${item.ourReference}<span class="visually-hidden">, ${item.id}</span></a
            >
            ${item.escalatedAt === null ? '' : badge(t('console-badge-escalated'), 'bad')}`,
          `${item.fromCountry ?? t('console-analytics-secretariat')} → ${item.toCountry}`,
          item.type,
          t(`console-request-status-${item.status}`),
          t('console-age-days', { days: item.ageDays }),
          item.contactId === null
            ? '–'
            : html`<a href="/console/registry/contacts/${item.contactId}">${item.contactId}</a>`,
          item.nextNudgeAt === null ? '–' : context.dateTime(item.nextNudgeAt),
          context.number(item.unansweredNudges),
        ]);
      const body = html`<form
          class="filters"
          method="get"
          action="/console/requests"
          aria-label="${t('console-requests-filters')}"
        >
          <div class="field-group">
            <label for="filter-from">${t('console-requests-from')}</label>
            <input id="filter-from" name="from" value="${from ?? ''}" maxlength="2" size="3" />
          </div>
          <div class="field-group">
            <label for="filter-to">${t('console-requests-to')}</label>
            <input id="filter-to" name="to" value="${to ?? ''}" maxlength="2" size="3" />
          </div>
          <div class="field-group">
            <label for="filter-type">${t('console-analytics-type')}</label>
            <input id="filter-type" name="type" value="${type ?? ''}" maxlength="64" />
          </div>
          ${checkbox({ id: 'filter-overdue', name: 'overdue', label: t('console-requests-overdue'), checked: overdue })}
          <div class="actions">
            <button type="submit" class="button button-primary">${t('console-filter-apply')}</button>
          </div>
        </form>
        <p class="result-count">${t('console-requests-count', { count: items.length })}</p>
        ${dataTable(context, {
          caption: t('console-requests-title'),
          id: 'requests-table',
          columns: [
            { label: t('console-requests-id') },
            { label: t('console-analytics-pair') },
            { label: t('console-analytics-type') },
            { label: t('console-col-status') },
            { label: t('console-analytics-age') },
            { label: t('console-requests-counterpart') },
            { label: t('console-requests-next-nudge') },
            { label: t('console-requests-unanswered'), className: 'number' },
          ],
          rows,
        })}
        ${pagination(context, {
          page,
          pages,
          href: (target) =>
            link('/console/requests', { from, to, type, overdue, page: target === 1 ? undefined : target }),
        })}`;
      return sendPage(reply, context, { section: 'requests', title: t('console-requests-title'), body });
    });

    app.get('/console/consultations', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const { t } = context;
      const page = pageParameter(request.query as Record<string, unknown>);
      const listed = await deps.consultationQueries.list(context.principal, {
        scope: isAdmin(context.principal) ? 'all' : 'country',
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      const rows = listed.items.map((item) => [
        item.ref,
        // The secretariat (an admin of no country) asks for no country.
        `${item.asker.country ?? t('console-analytics-secretariat')} → ${item.country}`,
        item.competence,
        t(`console-consultation-status-${item.status}`),
        item.currentRoute === null ? '–' : t(`console-route-${item.currentRoute.kind}`),
        context.dateTime(item.createdAt),
        item.firstAnswerAt === null
          ? '–'
          : context.duration((Date.parse(item.firstAnswerAt) - Date.parse(item.createdAt)) / 1000),
        item.sensitive ? badge(t('console-badge-sensitive'), 'info') : '',
      ]);
      const body = html`<p class="hint">${t('console-consultations-intro')}</p>
        <p class="result-count">${t('console-consultations-count', { count: listed.total })}</p>
        ${dataTable(context, {
          caption: t('console-consultations-title'),
          id: 'consultations-table',
          columns: [
            { label: t('console-consultations-ref') },
            { label: t('console-analytics-pair') },
            { label: t('console-analytics-competence') },
            { label: t('console-col-status') },
            { label: t('console-consultations-route') },
            { label: t('console-consultations-started') },
            { label: t('console-consultations-first-answer') },
            { label: t('console-consultations-sensitive') },
          ],
          rows,
        })}
        ${pagination(context, {
          page,
          pages: Math.max(1, Math.ceil(listed.total / pageSize)),
          href: (next) => link('/console/consultations', { page: next }),
        })}`;
      return sendPage(reply, context, {
        section: 'consultations',
        title: t('console-consultations-title'),
        body,
      });
    });

    app.get('/console/audit', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const { t } = context;
      const query = request.query as Record<string, unknown>;
      const filter = {
        actor: textParameter(query, 'actor', 200),
        subject: textParameter(query, 'subject', 200),
        action: textParameter(query, 'action', 100),
        from: dateParameter(textParameter(query, 'from', 10), false),
        to: dateParameter(textParameter(query, 'to', 10), true),
        before: Number(textParameter(query, 'before', 20) ?? '') || undefined,
      };
      const listed = await deps.auditQueries.list({ ...filter, limit: pageSize });
      const names = await deps.directory.names(
        listed.entries.flatMap((entry) => (entry.actor.startsWith('member:') ? [entry.actor.slice(7)] : [])),
      );
      const rows = listed.entries.map((entry) => [
        context.number(entry.seq),
        context.dateTime(entry.at),
        actorName(context, entry.actor, names),
        actionLabel(context, entry.action),
        entry.subject ?? '',
        html`<code class="details">${JSON.stringify(entry.details)}</code>`,
      ]);
      const body = html`<section aria-labelledby="chain-heading" class="card">
          <h2 id="chain-heading">${t('console-audit-chain')}</h2>
          <p>${t('console-audit-chain-intro')}</p>
          <div id="chain-result" aria-live="polite"></div>
          <button
            type="button"
            class="button button-primary"
            hx-post="/console/audit/verify"
            hx-target="#chain-result"
            hx-swap="innerHTML"
          >
            ${t('console-audit-verify')}
          </button>
        </section>
        <form class="filters" method="get" action="/console/audit" aria-label="${t('console-audit-filters')}">
          <div class="field-group">
            <label for="audit-actor">${t('console-audit-actor')}</label>
            <input id="audit-actor" name="actor" value="${filter.actor ?? ''}" />
          </div>
          <div class="field-group">
            <label for="audit-subject">${t('console-audit-subject')}</label>
            <input id="audit-subject" name="subject" value="${filter.subject ?? ''}" />
          </div>
          <div class="field-group">
            <label for="audit-action">${t('console-audit-action')}</label>
            <input id="audit-action" name="action" value="${filter.action ?? ''}" />
          </div>
          <div class="field-group">
            <label for="audit-from">${t('console-analytics-from')}</label>
            <input
              id="audit-from"
              name="from"
              type="date"
              value="${textParameter(query, 'from', 10) ?? ''}"
            />
          </div>
          <div class="field-group">
            <label for="audit-to">${t('console-analytics-to')}</label>
            <input id="audit-to" name="to" type="date" value="${textParameter(query, 'to', 10) ?? ''}" />
          </div>
          <div class="actions">
            <button type="submit" class="button button-primary">${t('console-filter-apply')}</button>
          </div>
        </form>
        <p class="hint">${t('console-audit-hint')}</p>
        ${dataTable(context, {
          caption: t('console-audit-title'),
          id: 'audit-table',
          columns: [
            { label: '#', className: 'number' },
            { label: t('console-audit-at') },
            { label: t('console-audit-actor') },
            { label: t('console-audit-action') },
            { label: t('console-audit-subject') },
            { label: t('console-audit-details') },
          ],
          rows,
        })}
        ${
          listed.nextBefore === undefined
            ? ''
            : html`<p>
                <a
                  href="${link('/console/audit', {
                    actor: filter.actor,
                    subject: filter.subject,
                    action: filter.action,
                    from: textParameter(query, 'from', 10),
                    to: textParameter(query, 'to', 10),
                    before: listed.nextBefore,
                  })}"
                  >${t('console-audit-older')}</a
                >
              </p>`
        }`;
      return sendPage(reply, context, { section: 'audit', title: t('console-audit-title'), body });
    });

    app.post('/console/audit/verify', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const { t } = context;
      const result = await deps.audit.verify();
      deps.audit.enqueue({
        actor: `member:${context.principal.memberId}`,
        action: 'audit.verify',
        details: { entries: result.entries, problems: result.problems.length },
      });
      return sendFragment(
        reply,
        result.problems.length === 0
          ? html`<p class="notice" tabindex="-1" data-focus>
              ${t('console-audit-intact', { entries: result.entries })}
            </p>`
          : html`<div class="notice notice-error" tabindex="-1" data-focus>
              <p>
                ${t('console-audit-broken', { problems: result.problems.length, entries: result.entries })}
              </p>
              <ul>
                ${result.problems.map((problem) => html`<li>${problem.seq}: ${problem.problem}: ${problem.message}</li>`)}
              </ul>
            </div>`,
      );
    });
  };
}

function dateParameter(text: string | undefined, endOfDay: boolean): Date | undefined {
  if (text === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
