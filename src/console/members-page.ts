// /console/members: my country's members (an admin: everyone's) with role, linked messengers and
// last activity; create a member; invite with every way in (and a QR code of the console link);
// withdraw invites, unlink an account, disable a member, issue and revoke API tokens.
import type { RegistryFile } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { badge, dataTable, selectField } from './page-parts.ts';
import { isAdmin } from '../access/index.ts';
import type { MemberOverview } from '../members/index.ts';

/** A new invite, shown once: the code and every way in. */
export interface InviteShown {
  memberName: string;
  code: string;
  expiresAt: Date;
  links: Record<string, string>;
  instructions: Record<string, { to: string; command: string }>;
  /** SVG of a QR code of the web console link. */
  qr: string;
}

export interface MembersResult {
  notice?: { text: string; kind: 'ok' | 'error' } | undefined;
  invite?: InviteShown | undefined;
  token?: { memberName: string; label: string; token: string } | undefined;
  /** The create form as typed, with its problems. */
  form?: { values: NewMemberValues; errors: Map<string, string> } | undefined;
}

export interface NewMemberValues {
  name: string;
  role: string;
  /** Empty: no country (only an admin may have none). */
  country: string;
  contactId: string;
  locale: string;
  invite: boolean;
}

export interface MembersPageData {
  members: MemberOverview[];
  registry: RegistryFile;
  country: string | undefined;
}

export function renderMembersBody(
  context: PageContext,
  data: MembersPageData,
  result: MembersResult,
): SafeHtml {
  const { t } = context;
  const contacts = new Map(data.registry.contacts.map((contact) => [contact.id, contact]));
  // An admin sees every country's members, so the country is shown ("Network secretariat (no
  // country)" for an admin who belongs to none); a coordinator's are all of their own country.
  const admin = isAdmin(context.principal);
  const rows = data.members.map((member) => [
    html`<span id="member-${member.id}">${member.name}</span>`,
    t(`console-role-${member.role}`),
    ...(admin ? [context.country(member.country)] : []),
    member.contactId === null
      ? html`<span class="muted">–</span>`
      : html`<a href="/console/registry/contacts/${member.contactId}"
          >${context.text(contacts.get(member.contactId)?.name) || member.contactId}</a
        >`,
    member.identities.length === 0
      ? badge(t('console-badge-unlinked'), 'warn')
      : html`<ul class="plain">
          ${member.identities.map(
            (identity) =>
              html`<li>
                ${badge(context.messenger(identity.platform), 'ok')}
                ${memberAction({
                  path: `/console/members/${member.id}/identities/${identity.id}/unlink`,
                  text: t('console-unlink'),
                  label: t('console-unlink-label', {
                    name: member.name,
                    platform: context.messenger(identity.platform),
                  }),
                  confirm: t('console-confirm-unlink', {
                    name: member.name,
                    platform: context.messenger(identity.platform),
                  }),
                  look: 'quiet',
                })}
              </li>`,
          )}
        </ul>`,
    member.lastActivityAt === null
      ? html`<span class="muted">${t('console-never')}</span>`
      : context.dateTime(member.lastActivityAt),
    html`<ul class="plain">
      ${member.pendingInvites.map(
        (invite) =>
          html`<li>
            ${t('console-invite-pending', { date: context.date(invite.expiresAt) })}
            ${memberAction({
              path: `/console/members/${member.id}/invites/${invite.id}/withdraw`,
              text: t('console-withdraw'),
              label: t('console-withdraw-label', { name: member.name }),
              look: 'quiet',
            })}
          </li>`,
      )}
      ${member.tokens.map(
        (token) =>
          html`<li>
            ${t('console-token-line', { label: token.label })}
            ${memberAction({
              path: `/console/members/${member.id}/tokens/${token.id}/revoke`,
              text: t('console-revoke'),
              label: t('console-revoke-label', { label: token.label, name: member.name }),
              confirm: t('console-confirm-revoke', { label: token.label }),
              look: 'quiet',
            })}
          </li>`,
      )}
    </ul>`,
    html`<div class="actions">
      ${memberAction({
        path: `/console/members/${member.id}/invites`,
        text: t('console-invite'),
        label: t('console-invite-label', { name: member.name }),
      })}
      <form
        class="inline"
        hx-post="/console/members/${member.id}/tokens"
        hx-target="#members-body"
        hx-swap="outerHTML"
      >
        <label class="visually-hidden" for="token-label-${member.id}"
          >${t('console-token-label-for', { name: member.name })}</label
        >
        <input
          id="token-label-${member.id}"
          name="label"
          required
          maxlength="100"
          placeholder="${t('console-token-placeholder')}"
        />
        <button type="submit" class="button">${t('console-token-issue')}</button>
      </form>
      ${
        member.id === context.principal.memberId
          ? ''
          : memberAction({
              path: `/console/members/${member.id}/disable`,
              text: t('console-disable'),
              label: t('console-disable-label', { name: member.name }),
              confirm: t('console-confirm-disable', { name: member.name }),
              look: 'danger',
            })
      }
    </div>`,
  ]);
  return html`<div id="members-body">
    ${
      result.notice === undefined
        ? ''
        : html`<p class="notice notice-${result.notice.kind}" role="status" tabindex="-1" data-focus>
            ${result.notice.text}
          </p>`
    }
    ${result.invite === undefined ? '' : invitePanel(context, result.invite)}
    ${
      result.token === undefined
        ? ''
        : html`<section class="card" aria-labelledby="token-heading">
            <h2 id="token-heading" tabindex="-1" data-focus>
              ${t('console-token-issued', { name: result.token.memberName })}
            </h2>
            <p>${t('console-token-once')}</p>
            <p><code class="secret">${result.token.token}</code></p>
            <button
              type="button"
              class="button"
              data-copy="${result.token.token}"
              data-copied="${t('console-copied')}"
            >
              ${t('console-copy')}
            </button>
          </section>`
    }
    ${dataTable(context, {
      caption: t('console-members-caption'),
      columns: [
        { label: t('console-col-name') },
        { label: t('console-col-role') },
        ...(admin ? [{ label: t('console-col-country') }] : []),
        { label: t('console-col-contact') },
        { label: t('console-col-messengers') },
        { label: t('console-col-last-activity') },
        { label: t('console-col-invites-tokens') },
        { label: t('console-col-actions') },
      ],
      rows,
      id: 'members-table',
    })}
    ${createForm(context, data, result.form)}
  </div>`;
}

/** One action on a member: a button that posts to `path` and swaps the members body with the answer. */
function memberAction(action: {
  path: string;
  text: string;
  /** Its accessible name, which says whose (the visible text is one word). */
  label: string;
  /** Asked before posting. */
  confirm?: string;
  look?: 'quiet' | 'danger';
}): SafeHtml {
  return html`<button
    type="button"
    class="button${action.look === undefined ? '' : ` button-${action.look}`}"
    hx-post="${action.path}"
    hx-target="#members-body"
    hx-swap="outerHTML"
    ${action.confirm === undefined ? '' : html`hx-confirm="${action.confirm}"`}
    aria-label="${action.label}"
  >
    ${action.text}
  </button>`;
}

function invitePanel(context: PageContext, invite: InviteShown): SafeHtml {
  const { t } = context;
  return html`<section class="card invite" aria-labelledby="invite-heading">
    <h2 id="invite-heading" tabindex="-1" data-focus>
      ${t('console-invite-for', { name: invite.memberName })}
    </h2>
    <p>${t('console-invite-once', { date: context.dateTime(invite.expiresAt) })}</p>
    <dl class="facts ways-in">
      <dt>${t('console-invite-code')}</dt>
      <dd><code class="secret">${invite.code}</code></dd>
      ${Object.entries(invite.links).map(
        ([platform, link]) =>
          html`<dt>${context.messenger(platform)}</dt>
            <dd>
              <a href="${link}" rel="noopener noreferrer">${link}</a>
              <button
                type="button"
                class="button button-quiet"
                data-copy="${link}"
                data-copied="${t('console-copied')}"
              >
                ${t('console-copy')}
              </button>
            </dd>`,
      )}
      ${Object.entries(invite.instructions).map(
        ([platform, instruction]) =>
          html`<dt>${t('console-way-command', { messenger: context.messenger(platform) })}</dt>
            <dd>
              ${t('console-invite-send-command', { command: instruction.command, to: instruction.to })}
            </dd>`,
      )}
    </dl>
    <figure class="qr">
      ${trusted(invite.qr.replace('<svg ', `<svg role="img" aria-label="${escapeAttribute(t('console-invite-qr-label'))}" `))}
      <figcaption>${t('console-invite-qr')}</figcaption>
    </figure>
  </section>`;
}

const escapeAttribute = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function createForm(context: PageContext, data: MembersPageData, form: MembersResult['form']): SafeHtml {
  const { t } = context;
  const admin = isAdmin(context.principal);
  const values = form?.values ?? {
    name: '',
    role: 'member',
    country: data.country ?? context.principal.country ?? '',
    contactId: '',
    locale: context.locale,
    invite: true,
  };
  const errors = form?.errors ?? new Map<string, string>();
  const message = (field: string) =>
    errors.has(field) ? html`<p class="field-error" id="${field}-error">${errors.get(field)}</p>` : '';
  const invalid = (field: string) =>
    errors.has(field) ? html`aria-invalid="true" aria-describedby="${field}-error"` : '';
  const country = admin ? values.country : context.principal.country;
  // An admin may create an admin of no country (the secretariat): the empty choice.
  const countryOptions = [
    ['', t('no-country-secretariat')] as const,
    ...data.registry.countries.map((item) => [item.iso2, context.country(item.iso2)] as const),
  ];
  const contacts = data.registry.contacts.filter(
    (contact) => (admin || contact.country === country) && contact.status === 'active',
  );
  const roles: [string, string][] = [
    ['member', t('console-role-member')],
    ['coordinator', t('console-role-coordinator')],
    ...(admin ? ([['admin', t('console-role-admin')]] as [string, string][]) : []),
  ];
  return html`<section aria-labelledby="create-heading">
    <h2 id="create-heading">${t('console-member-create')}</h2>
    <form
      class="record-form"
      hx-post="/console/members"
      hx-target="#members-body"
      hx-swap="outerHTML"
      novalidate
    >
      ${
        errors.size === 0
          ? ''
          : html`<div class="error-summary" role="alert" tabindex="-1" data-focus>
              <h2>${t('console-error-summary', { count: errors.size })}</h2>
              <ul>
                ${[...errors].map(([field, text]) => html`<li><a href="#${field}">${text}</a></li>`)}
              </ul>
            </div>`
      }
      <div class="field-group">
        <label for="member-name"
          >${t('console-col-name')} <span class="required">(${t('console-required')})</span></label
        >
        ${message('member-name')}
        <input
          id="member-name"
          name="name"
          value="${values.name}"
          maxlength="200"
          required
          autocomplete="off"
          ${invalid('member-name')}
        />
      </div>
      ${selectField({ id: 'member-role', name: 'role', label: t('console-col-role'), options: roles, selected: values.role })}
      ${
        admin
          ? selectField({
              id: 'member-country',
              name: 'country',
              label: t('console-col-country'),
              options: countryOptions,
              selected: values.country,
            })
          : ''
      }
      <div class="field-group">
        <label for="member-contact">${t('console-member-contact')}</label>
        <p class="hint" id="member-contact-hint">${t('console-member-contact-hint')}</p>
        ${message('member-contact')}
        <select id="member-contact" name="contactId" aria-describedby="member-contact-hint">
          <option value="">${t('console-member-contact-none')}</option>
          ${contacts.map(
            (contact) =>
              html`<option value="${contact.id}" ${contact.id === values.contactId ? html`selected` : ''}>
                ${context.text(contact.name)} · ${context.text(contact.title)}
              </option>`,
          )}
        </select>
      </div>
      ${selectField({
        id: 'member-locale',
        name: 'locale',
        label: t('console-member-locale'),
        options: [
          ['en', 'English'],
          ['ru', 'Русский'],
        ],
        selected: values.locale,
      })}
      <div class="check">
        <input
          type="checkbox"
          id="member-invite"
          name="invite"
          value="1"
          ${values.invite ? html`checked` : ''}
        />
        <label for="member-invite">${t('console-member-invite-now')}</label>
      </div>
      <div class="actions">
        <button type="submit" class="button button-primary">${t('console-member-create-submit')}</button>
      </div>
    </form>
  </section>`;
}
