import { eq } from 'drizzle-orm';
import type { MessageRenderer } from '../outbox/index.ts';
import type { RequestsContext } from './requests-context.ts';
import { formalRequests } from './requests-schema.ts';
import type { NudgeContext } from './request-pushes.ts';
import { isLocale } from '../i18n/index.ts';

/**
 * Nudges are written to the outbox as facts and rendered when sent: the row stays small (a busy
 * morning writes hundreds of thousands), and the text shows the request as it stands then.
 */
export function createNudgeRenderer(
  context: Pick<RequestsContext, 'db' | 'registry' | 'messages' | 'defaultLocale'>,
): MessageRenderer {
  return async (row) => {
    const facts = row.context as Partial<NudgeContext> & { requestId?: string };
    if (typeof facts.requestId !== 'string') return undefined;
    const [request] = await context.db
      .select()
      .from(formalRequests)
      .where(eq(formalRequests.id, facts.requestId));
    if (request === undefined) return undefined;
    const snapshot = context.registry.snapshot();
    const contact = facts.contactId == null ? undefined : snapshot.contactById.get(facts.contactId);
    const standingInFor =
      facts.standingInFor == null ? undefined : snapshot.contactById.get(facts.standingInFor);
    return context.messages.nudge({
      locale: isLocale(facts.locale) ? facts.locale : context.defaultLocale,
      request,
      snapshot,
      requesterName: facts.requesterName ?? '—',
      standingInFor,
      timezone: snapshot.countryByIso2.get(contact?.country ?? request.toCountry)?.timezone ?? 'UTC',
    });
  };
}
