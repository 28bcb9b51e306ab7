// Routes of the members page. Every action calls the same service as the REST API with the
// reader as actor, so the country rules and the audit trail are the API's.
import type { RegistryService } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import type { ConsoleShared } from './console-plugin.ts';
import { renderMembersBody, type MembersResult, type NewMemberValues } from './members-page.ts';
import { textParameter } from './page-parts.ts';
import { AppError } from '../errors/index.ts';
import { isAdmin, ownCountryOf, type Role } from '../access/index.ts';
import type { App } from '../http/index.ts';
import {
  type IdentityService,
  qrSvg,
  type InviteService,
  type MemberDirectory,
  type MembersService,
} from '../members/index.ts';

export interface MembersPagesDeps {
  members: MembersService;
  invites: InviteService;
  identities: IdentityService;
  directory: MemberDirectory;
  registry: RegistryService;
}

type FormBody = Record<string, string | string[] | undefined>;
const field = (body: FormBody, name: string): string => {
  const value = body[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
};

export function membersPages(deps: MembersPagesDeps) {
  /** The country whose members the reader sees: their own, or (an admin) the one chosen. */
  const countryOf = (context: PageContext, query: Record<string, unknown>) =>
    isAdmin(context.principal)
      ? textParameter(query, 'country', 2)?.toUpperCase()
      : ownCountryOf(context.principal);

  async function body(context: PageContext, country: string | undefined, result: MembersResult) {
    return renderMembersBody(
      context,
      { members: await deps.directory.overview(country), registry: deps.registry.view().file, country },
      result,
    );
  }

  async function inviteFor(context: PageContext, memberId: string, memberName: string) {
    const issued = await deps.invites.create(context.principal, memberId);
    return {
      memberName,
      code: issued.code,
      expiresAt: issued.expiresAt,
      links: issued.links,
      instructions: issued.instructions,
      qr: await qrSvg(issued.links.web),
    };
  }

  return (app: App, { pageContext, sendPage, sendFragment }: ConsoleShared) => {
    app.get('/console/members', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const query = request.query as Record<string, unknown>;
      const country = countryOf(context, query);
      // "Invite the person" on a contact's page comes here with the contact chosen.
      const contactId = textParameter(query, 'contact', 100);
      const contact =
        contactId === undefined ? undefined : deps.registry.view().contactRecordById.get(contactId);
      const form =
        contact === undefined
          ? undefined
          : {
              values: {
                name: context.text(contact.name),
                role: 'member',
                country: contact.country,
                contactId: contact.id,
                locale: context.locale,
                invite: true,
              },
              errors: new Map<string, string>(),
            };
      return sendPage(reply, context, {
        section: 'members',
        title: context.t('console-members-title'),
        body: await body(context, country, { form }),
      });
    });

    app.post('/console/members', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const form = (request.body ?? {}) as FormBody;
      const values: NewMemberValues = {
        name: field(form, 'name'),
        role: field(form, 'role'),
        country: isAdmin(context.principal)
          ? field(form, 'country').toUpperCase()
          : ownCountryOf(context.principal),
        contactId: field(form, 'contactId'),
        locale: field(form, 'locale'),
        invite: field(form, 'invite') !== '',
      };
      const errors = new Map<string, string>();
      if (values.name === '') errors.set('member-name', context.t('console-error-required'));
      if (values.name.length > 200) errors.set('member-name', context.t('console-error-too-long'));
      const country = isAdmin(context.principal) ? undefined : ownCountryOf(context.principal);
      if (errors.size > 0)
        return sendFragment(reply, await body(context, country, { form: { values, errors } }), 422);
      let created;
      try {
        created = await deps.members.create(context.principal, {
          name: values.name,
          // Empty: an admin of no country (refused with a form error for any other role).
          country: values.country === '' ? null : values.country,
          role: (['member', 'coordinator', 'admin'].includes(values.role) ? values.role : 'member') as Role,
          contactId: values.contactId === '' ? null : values.contactId,
          locale: values.locale === 'ru' ? 'ru' : 'en',
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
        const paths = Array.isArray(error.details)
          ? error.details.map((problem: { path?: unknown }) => problem.path)
          : [];
        // A coordinator or member with no country: only an admin may belong to none.
        if (paths.includes('/country'))
          errors.set('member-country', context.t('console-error-needs-country'));
        else errors.set('member-contact', context.t('console-error-choose'));
        return sendFragment(reply, await body(context, country, { form: { values, errors } }), 422);
      }
      const invite = values.invite ? await inviteFor(context, created.id, created.name) : undefined;
      return sendFragment(
        reply,
        await body(context, country, {
          notice: { text: context.t('console-member-created', { name: created.name }), kind: 'ok' },
          invite,
        }),
      );
    });

    /** An action on one member; `run` returns what to show above the table. */
    const action = (
      path: string,
      run: (context: PageContext, params: Record<string, string>, form: FormBody) => Promise<MembersResult>,
    ) => {
      app.post(path, { schema: { hide: true } }, async (request, reply) => {
        const context = pageContext(request, 'coordinator');
        const result = await run(
          context,
          request.params as Record<string, string>,
          (request.body ?? {}) as FormBody,
        );
        const country = isAdmin(context.principal) ? undefined : ownCountryOf(context.principal);
        return sendFragment(reply, await body(context, country, result));
      });
    };
    const memberName = async (context: PageContext, id: string) =>
      (await deps.members.get(context.principal, id)).name;

    action('/console/members/:id/invites', async (context, params) => {
      const id = params.id ?? '';
      return { invite: await inviteFor(context, id, await memberName(context, id)) };
    });
    action('/console/members/:id/invites/:inviteId/withdraw', async (context, params) => {
      await deps.invites.revoke(context.principal, params.id ?? '', params.inviteId ?? '');
      return { notice: { text: context.t('console-invite-withdrawn'), kind: 'ok' } };
    });
    action('/console/members/:id/identities/:identityId/unlink', async (context, params) => {
      await deps.identities.unlink(context.principal, params.id ?? '', params.identityId ?? '');
      return { notice: { text: context.t('console-unlinked'), kind: 'ok' } };
    });
    action('/console/members/:id/disable', async (context, params) => {
      const name = await memberName(context, params.id ?? '');
      await deps.members.disable(context.principal, params.id ?? '');
      return { notice: { text: context.t('console-member-disabled', { name }), kind: 'ok' } };
    });
    action('/console/members/:id/tokens', async (context, params, form) => {
      const label = field(form, 'label').slice(0, 100);
      if (label === '') return { notice: { text: context.t('console-token-label-needed'), kind: 'error' } };
      const issued = await deps.members.createToken(context.principal, params.id ?? '', label);
      return {
        token: { memberName: await memberName(context, params.id ?? ''), label, token: issued.token },
      };
    });
    action('/console/members/:id/tokens/:tokenId/revoke', async (context, params) => {
      await deps.members.revokeToken(context.principal, params.tokenId ?? '');
      return { notice: { text: context.t('console-token-revoked'), kind: 'ok' } };
    });
  };
}
