// /console/requests/:id: one formal request, its next nudge, every nudge, answer, escalation and
// change on a timeline, and (for those the API lets change it) a status change. Subjects and
// references are shown; nothing of any message's text is stored with the events, so none is shown.
import { requestStatuses, type RequestEventView, type RequestView } from '../requests/index.ts';
import type { PageContext } from './console-context.ts';
import { actorName } from './contact-page.ts';
import { attr, html, type SafeHtml } from './html.ts';
import { badge } from './page-parts.ts';

/** The API's rule (requests-context canManage): the requester, a coordinator of the requesting country, an admin. */
export function mayChangeStatus(context: PageContext, request: RequestView): boolean {
  const { principal } = context;
  return (
    principal.role === 'admin' ||
    request.requesterMemberId === principal.memberId ||
    (principal.role === 'coordinator' && request.fromCountry === principal.country)
  );
}

export interface RequestPageData {
  request: RequestView & { events: RequestEventView[] };
  names: ReadonlyMap<string, { name: string; country: string | null }>;
  contactName: (id: string | null | undefined) => string | undefined;
  typeLabel: (type: string) => string;
}

const statusLabel = (context: PageContext, status: unknown) =>
  typeof status === 'string' ? context.t(`console-request-status-${status}`) : '';

/** What an event says beyond its kind: the answer given, the status change, where it went. */
function eventDetail(context: PageContext, event: RequestEventView, data: RequestPageData): string {
  const { details } = event;
  switch (event.kind) {
    case 'answer':
      return statusLabel(context, details.answer);
    case 'status_changed':
    case 'withdrawn':
      return `${statusLabel(context, details.from)} → ${statusLabel(context, details.to)}`;
    case 'reassigned':
      return `${data.contactName(details.from as string | null) ?? '–'} → ${data.contactName(details.to as string | null) ?? '–'}`;
    case 'nudge_delivered': {
      const to = data.contactName(details.contactId as string | null);
      const platform = typeof details.platform === 'string' ? context.messenger(details.platform) : '';
      return [to, platform].filter(Boolean).join(', ');
    }
    case 'nudge_postponed':
      return typeof details.until === 'string'
        ? context.t('console-event-until', { at: context.dateTime(details.until) })
        : '';
    case 'updated':
      return Array.isArray(details.fields) ? (details.fields as unknown[]).map(String).join(', ') : '';
    default:
      return '';
  }
}

export function renderRequestBody(context: PageContext, data: RequestPageData, notice?: string): SafeHtml {
  const { t } = context;
  const { request } = data;
  const open = !['executed', 'refused', 'withdrawn'].includes(request.status);
  return html`<div id="request-body">
    ${notice === undefined ? '' : html`<p class="notice notice-ok" role="status" tabindex="-1" data-focus>${notice}</p>`}
    <p><a href="/console/requests">${t('console-requests-back')}</a></p>
    <section aria-labelledby="request-facts-heading">
      <h2 id="request-facts-heading">${t('console-request-facts')}</h2>
      <p class="badges">
        ${badge(t(`console-request-status-${request.status}`), open ? 'info' : 'quiet')}
        ${request.escalatedAt === null ? '' : badge(t('console-badge-escalated'), 'bad')}
        ${request.urgent ? badge(t('console-request-urgent'), 'warn') : ''}
      </p>
      <dl class="facts">
        <dt>${t('console-analytics-pair')}</dt>
        <dd>${context.country(request.fromCountry)} → ${context.country(request.toCountry)}</dd>
        <dt>${t('console-analytics-type')}</dt>
        <dd>${data.typeLabel(request.type)}</dd>
        <dt>${t('console-request-subject')}</dt>
        <dd>${request.subject}</dd>
        <dt>${t('console-request-references')}</dt>
        <dd>
          ${request.ourReference}${request.theirReference === null ? '' : ` / ${request.theirReference}`}
        </dd>
        <dt>${t('console-request-sent')}</dt>
        <dd>${context.date(request.sentAt)} (${t('console-age-days', { days: request.ageDays })})</dd>
        <dt>${t('console-requests-counterpart')}</dt>
        <dd>
          ${
            request.contactId === null
              ? '–'
              : html`<a href="/console/registry/contacts/${request.contactId}"
                  >${data.contactName(request.contactId) ?? request.contactId}</a
                >`
          }
        </dd>
        <dt>${t('console-request-requester')}</dt>
        <dd>${data.names.get(request.requesterMemberId)?.name ?? request.requesterMemberId}</dd>
        <dt>${t('console-requests-next-nudge')}</dt>
        <dd>
          ${request.nextNudgeAt === null ? t('console-request-no-nudge') : context.dateTime(request.nextNudgeAt)}
        </dd>
        <dt>${t('console-requests-unanswered')}</dt>
        <dd>${context.number(request.unansweredNudges)}</dd>
      </dl>
    </section>
    ${mayChangeStatus(context, request) ? statusForm(context, request) : ''}
    <section aria-labelledby="request-timeline-heading">
      <h2 id="request-timeline-heading">${t('console-request-timeline')}</h2>
      <ol class="timeline" id="request-timeline">
        ${request.events.map(
          (event) =>
            html`<li class="event-${event.kind}">
              <time datetime="${event.at}">${context.dateTime(event.at)}</time>
              <span>${t(`console-event-${event.kind}`)}</span>
              <span class="detail">${eventDetail(context, event, data)}</span>
              <span class="muted">${actorName(context, event.actor, data.names)}</span>
            </li>`,
        )}
      </ol>
    </section>
  </div>`;
}

function statusForm(context: PageContext, request: RequestView): SafeHtml {
  const { t } = context;
  return html`<section aria-labelledby="request-status-heading">
    <h2 id="request-status-heading">${t('console-request-change-status')}</h2>
    <form
      class="filters"
      hx-post="/console/requests/${request.id}/status"
      hx-target="#request-body"
      hx-swap="outerHTML"
    >
      <div class="field-group">
        <label for="request-status">${t('console-col-status')}</label>
        <p class="hint" id="request-status-hint">${t('console-request-status-hint')}</p>
        <select id="request-status" name="status" aria-describedby="request-status-hint">
          ${requestStatuses.map(
            (status) =>
              html`<option value="${status}" ${attr('selected', status === request.status)}>
                ${t(`console-request-status-${status}`)}
              </option>`,
          )}
        </select>
      </div>
      <div class="actions">
        <button type="submit" class="button button-primary">${t('console-request-status-save')}</button>
      </div>
    </form>
  </section>`;
}
