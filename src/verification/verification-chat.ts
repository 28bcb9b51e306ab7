// The registry-truth module in chat: a coordinator approves or rejects a proposal with one tap.
import type { ActionContext, ConversationEngine } from '../chat/index.ts';
import type { ProposalService } from './proposal-service.ts';
import { AppError } from '../errors/index.ts';

/** What a refused decision says, by error code. */
const refusals: Record<string, string> = {
  forbidden: 'truth-proposal-not-yours',
  conflict: 'truth-proposal-decided',
  not_found: 'truth-proposal-gone',
};

const isContactLeft = (details: unknown): boolean =>
  typeof details === 'object' &&
  details !== null &&
  (details as { reason?: unknown }).reason === 'contact_left';

export function registerProposalButtons(
  engine: Pick<ConversationEngine, 'registerActionHandler'>,
  proposals: ProposalService,
) {
  engine.registerActionHandler('truth', async (context: ActionContext) => {
    const { principal, action, locale } = context;
    const t = (id: string, args?: Record<string, string>) => context.t(id, args);
    const [, verb, id] = action.split(':');
    if ((verb !== 'ap' && verb !== 'rj') || id === undefined) return undefined;
    try {
      const decided = await (verb === 'ap'
        ? proposals.approve(principal, id)
        : proposals.reject(principal, id));
      return {
        text: t(verb === 'ap' ? 'truth-proposal-you-approved' : 'truth-proposal-you-rejected', {
          fields: decided.fields.join(', '),
        }),
        locale,
      };
    } catch (error) {
      // Its contact was retired or removed meanwhile: not "already decided", which would mislead.
      if (error instanceof AppError && isContactLeft(error.details))
        return { text: t('truth-proposal-contact-left'), locale };
      if (error instanceof AppError && refusals[error.code] !== undefined)
        return { text: t(refusals[error.code] ?? 'truth-proposal-gone'), locale };
      throw error;
    }
  });
}
