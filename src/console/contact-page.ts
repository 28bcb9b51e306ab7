// /console/registry/contacts/:id: one contact's record, how fresh its verification is, who stands
// behind it, its history from the audit log, and the form to change it. Everything that changes
// the record re-renders this body, with a notice that takes the focus.
import { isStale, type ContactRecord, type RegistryFile } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import { renderContactForm, type ContactFormValues, type FieldErrors } from './contact-form.ts';
import { html, type SafeHtml } from './html.ts';
import { badge } from './page-parts.ts';
import type { ProposalView, VerificationStateView } from './registry-truth-port.ts';
import type { AuditEntryView } from '../audit/index.ts';

export interface ContactPageData {
  record: ContactRecord;
  registry: RegistryFile;
  /** Today in the contact's country: staleness and absence are judged on it. */
  today: string;
  /** Names of the members the page mentions (verifier, history actors, people behind the contact). */
  names: ReadonlyMap<string, { name: string; country: string | null }>;
  people: { memberIds: string[]; platforms: string[] } | undefined;
  history: AuditEntryView[];
  /** Present when the registry-truth module is wired. */
  truth?: { state: VerificationStateView | undefined; proposals: ProposalView[] } | undefined;
}

export interface ContactBodyInput {
  values: ContactFormValues;
  errors: FieldErrors;
  notice?: { text: string; kind: 'ok' | 'error' } | undefined;
}

/** "Saule Editor" for a member, "the system" or "command line" for the others, else as written. */
export function actorName(context: PageContext, actor: string, names: ContactPageData['names']): string {
  if (actor.startsWith('member:')) return names.get(actor.slice('member:'.length))?.name ?? actor;
  const id = `console-actor-${actor.split(':')[0] ?? actor}`;
  const label = context.t(id);
  return label === id ? actor : label;
}

export function renderContactBody(
  context: PageContext,
  data: ContactPageData,
  input: ContactBodyInput,
): SafeHtml {
  const { t } = context;
  const { record } = data;
  const authority = data.registry.authorities.find((item) => item.id === record.authority);
  const stale = isStale(record, data.today);
  const verifier =
    record.verifiedBy === undefined
      ? undefined
      : (data.names.get(record.verifiedBy)?.name ?? record.verifiedBy);
  const away =
    record.outOfOffice != null &&
    record.outOfOffice.start <= data.today &&
    data.today <= record.outOfOffice.end;
  const deputy =
    record.deputy == null ? undefined : data.registry.contacts.find((item) => item.id === record.deputy);
  return html`<div id="contact-body">
    ${
      input.notice === undefined
        ? ''
        : html`<p class="notice notice-${input.notice.kind}" role="status" tabindex="-1" data-focus>
            ${input.notice.text}
          </p>`
    }
    <section class="record-summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">${t('console-contact-summary')}</h2>
      <p class="badges">
        ${badge(t(`console-status-${record.status}`), record.status === 'active' ? 'ok' : 'warn')}
        ${away ? badge(t('console-badge-away-until', { date: context.date(record.outOfOffice?.end) }), 'info') : ''}
        ${stale ? badge(t('console-badge-stale'), 'warn') : ''}
      </p>
      <dl class="facts">
        <dt>${t('console-field-title')}</dt>
        <dd>${context.text(record.title)}</dd>
        <dt>${t('console-field-authority')}</dt>
        <dd>${context.text(authority?.name) || record.authority}</dd>
        <dt>${t('console-col-country')}</dt>
        <dd>${context.country(record.country)}</dd>
        <dt>${t('console-contact-id')}</dt>
        <dd><code>${record.id}</code></dd>
        ${
          deputy === undefined
            ? ''
            : html`<dt>${t('console-field-deputy')}</dt>
                <dd><a href="/console/registry/contacts/${deputy.id}">${context.text(deputy.name)}</a></dd>`
        }
      </dl>
    </section>

    <section class="verification" aria-labelledby="verification-heading">
      <h2 id="verification-heading">${t('console-contact-verification')}</h2>
      <p>
        ${
          verifier === undefined
            ? t('console-verified-on', { date: context.date(record.verifiedAt) })
            : t('console-verified-on-by', { date: context.date(record.verifiedAt), name: verifier })
        }
        ${stale ? badge(t('console-badge-stale'), 'warn') : badge(t('console-badge-fresh'), 'ok')}
      </p>
      ${
        data.truth?.state === undefined
          ? ''
          : html`<p>
              ${t('console-verification-state')}:
              ${badge(t(`console-verification-${data.truth.state.state}`), data.truth.state.state === 'fresh' ? 'ok' : 'warn')}
              ${data.truth.state.since === null ? '' : t('console-since', { date: context.date(data.truth.state.since) })}
            </p>`
      }
      <div class="actions">
        <button
          type="button"
          class="button button-primary"
          hx-post="/console/registry/contacts/${record.id}/verify"
          hx-target="#contact-body"
          hx-swap="outerHTML"
        >
          ${t('console-verify-now')}
        </button>
        ${
          data.truth === undefined
            ? ''
            : html`<button
                type="button"
                class="button"
                hx-post="/console/registry/contacts/${record.id}/reverify"
                hx-target="#contact-body"
                hx-swap="outerHTML"
              >
                ${t('console-reverify-send')}
              </button>`
        }
      </div>
      <p class="hint">${t('console-verify-hint')}</p>
    </section>

    ${data.truth === undefined ? '' : proposalsSection(context, record, data.truth.proposals)}

    <section aria-labelledby="people-heading">
      <h2 id="people-heading">${t('console-contact-people')}</h2>
      ${
        data.people === undefined || data.people.memberIds.length === 0
          ? html`<p>
              ${badge(t('console-badge-unlinked'), 'warn')} ${t('console-contact-no-member')}
              <a href="/console/members?contact=${record.id}">${t('console-contact-invite-person')}</a>
            </p>`
          : html`<ul>
                ${data.people.memberIds.map(
                  (id) =>
                    html`<li>
                      <a href="/console/members#member-${id}">${data.names.get(id)?.name ?? id}</a>
                    </li>`,
                )}
              </ul>
              <p>
                ${
                  data.people.platforms.length === 0
                    ? badge(t('console-badge-unlinked'), 'warn')
                    : data.people.platforms.map((platform) => badge(context.messenger(platform), 'ok'))
                }
              </p>`
      }
    </section>

    <section aria-labelledby="edit-heading">
      <h2 id="edit-heading">${t('console-contact-edit')}</h2>
      ${renderContactForm(context, { record, values: input.values, errors: input.errors, registry: data.registry })}
    </section>

    ${data.truth === undefined ? '' : retireSection(context, record, data.registry)}

    <section aria-labelledby="history-heading">
      <h2 id="history-heading">${t('console-contact-history')}</h2>
      ${
        data.history.length === 0
          ? html`<p>${t('console-nothing-found')}</p>`
          : html`<ol class="timeline">
                ${data.history.map(
                  (entry) =>
                    html`<li>
                      <time datetime="${entry.at}">${context.dateTime(entry.at)}</time>
                      <span>${actionLabel(context, entry.action)}</span>
                      <span class="muted">${actorName(context, entry.actor, data.names)}</span>
                      ${
                        Array.isArray(entry.details.fields)
                          ? html`<span class="muted"
                              >(${(entry.details.fields as unknown[]).map(String).join(', ')})</span
                            >`
                          : ''
                      }
                    </li>`,
                )}
              </ol>
              <p>
                <a href="/console/audit?subject=contact:${record.id}">${t('console-contact-full-history')}</a>
              </p>`
      }
    </section>
  </div>`;
}

export function actionLabel(context: PageContext, action: string): string {
  const id = `console-action-${action.replace(/[^a-z0-9]+/gi, '-')}`;
  const label = context.t(id);
  return label === id ? action : label;
}

function proposalsSection(context: PageContext, record: ContactRecord, proposals: ProposalView[]): SafeHtml {
  const { t } = context;
  return html`<section aria-labelledby="proposals-heading">
    <h2 id="proposals-heading">${t('console-contact-proposals')}</h2>
    ${
      proposals.length === 0
        ? html`<p>${t('console-proposals-none')}</p>`
        : html`<ul class="proposals">
            ${proposals.map(
              (proposal) =>
                html`<li>
                  <p>
                    ${t('console-proposal-line', { fields: proposal.fields.join(', '), date: context.date(proposal.createdAt) })}
                  </p>
                  <pre>${JSON.stringify(proposal.changes, null, 1)}</pre>
                  <div class="actions">
                    <button
                      type="button"
                      class="button button-primary"
                      hx-post="/console/registry/contacts/${record.id}/proposals/${proposal.id}/approve"
                      hx-target="#contact-body"
                      hx-swap="outerHTML"
                    >
                      ${t('console-proposal-approve')}
                    </button>
                    <button
                      type="button"
                      class="button"
                      hx-post="/console/registry/contacts/${record.id}/proposals/${proposal.id}/reject"
                      hx-target="#contact-body"
                      hx-swap="outerHTML"
                    >
                      ${t('console-proposal-reject')}
                    </button>
                  </div>
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

function retireSection(context: PageContext, record: ContactRecord, registry: RegistryFile): SafeHtml {
  const { t } = context;
  if (record.status === 'retired') return html``;
  const colleagues = registry.contacts.filter(
    (contact) =>
      contact.country === record.country && contact.id !== record.id && contact.status === 'active',
  );
  return html`<section aria-labelledby="retire-heading">
    <h2 id="retire-heading">${t('console-contact-retire')}</h2>
    <form
      hx-post="/console/registry/contacts/${record.id}/retire"
      hx-target="#contact-body"
      hx-swap="outerHTML"
    >
      <div class="field-group">
        <label for="field-successor">${t('console-field-successor')}</label>
        <p class="hint" id="field-successor-hint">${t('console-field-successor-hint')}</p>
        <select id="field-successor" name="successorId" aria-describedby="field-successor-hint">
          <option value="">${t('console-field-successor-none')}</option>
          ${colleagues.map((colleague) => html`<option value="${colleague.id}">${context.text(colleague.name)}</option>`)}
        </select>
      </div>
      <button type="submit" class="button button-danger">${t('console-retire')}</button>
    </form>
  </section>`;
}
