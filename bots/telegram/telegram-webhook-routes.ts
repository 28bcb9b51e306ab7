import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BotError, type Bot } from 'grammy';
import { classifyTelegramFailure } from './telegram-messenger.ts';
import type { Update } from 'grammy/types';
import { constantTimeEqual } from '../../src/members/secrets.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { UpdateDeduplicator } from './update-deduplicator.ts';
import { ErrorBody } from '../../src/http/error-schemas.ts';
import { chatText } from '../../src/text/index.ts';

export interface WebhookRouteOptions {
  path: string;
  secret: string;
  bot: Bot;
  deduplicator: UpdateDeduplicator;
  /** Resolves once the bot knows itself (getMe); updates wait for it. */
  ready: () => Promise<void>;
  logger: Logger;
}

/**
 * The route Telegram posts updates to in webhook mode. Works behind a load balancer as is: the
 * secret check is stateless and duplicate ids are caught in Redis, shared by every replica.
 */
export function telegramWebhookRoutes(options: WebhookRouteOptions): FastifyPluginAsyncTypebox {
  const { bot, deduplicator, logger } = options;
  return async (app) => {
    app.post(
      options.path,
      {
        schema: {
          tags: ['telegram'],
          summary: 'Telegram webhook (called by Telegram, authenticated by X-Telegram-Bot-Api-Secret-Token)',
          security: [],
          // Telegram's Update object: only update_id is checked, the rest is Telegram's to extend.
          // Its text is a person's message: the conversation engine drops what may not pass, as on every
          // messenger, instead of Telegram retrying an update we refuse.
          body: Type.Object(
            { update_id: Type.Integer({ minimum: 0 }) },
            { ...chatText, additionalProperties: true },
          ),
          response: { 200: Type.Object({ ok: Type.Boolean() }), 401: ErrorBody, 500: ErrorBody },
        },
        // Telegram's delivery rate is Telegram's to set; the per-address API limit would drop updates.
        // Only Telegram calls it, authenticated by the secret below: no browser headers, no token lookup.
        config: { rateLimit: false, caller: 'service' },
        logLevel: 'warn',
      },
      async (request, reply) => {
        const presented = request.headers['x-telegram-bot-api-secret-token'];
        if (typeof presented !== 'string' || !constantTimeEqual(presented, options.secret)) {
          return reply.code(401).send({
            error: {
              code: 'unauthorized',
              message: 'wrong or missing webhook secret token',
              requestId: request.id,
            },
          });
        }
        const update = request.body as unknown as Update;
        // Telegram retries an update it thinks we missed; the first delivery already handled it.
        if (!(await deduplicator.claim(update.update_id))) return { ok: true };
        try {
          await options.ready();
          await bot.handleUpdate(update);
          return { ok: true };
        } catch (error) {
          const cause = error instanceof BotError ? error.error : error;
          // The adapter's own reading of the failure (src/chat/reply-path.ts hands it over).
          const failure = classifyTelegramFailure(cause);
          if (failure.kind === 'permanent') {
            // Telegram refused our answer for good (blocked by the user, chat gone): retrying cannot help.
            logger.warn({ code: failure.code, updateId: update.update_id }, 'Telegram refused an answer');
            return { ok: true };
          }
          // Let Telegram deliver it again later.
          await deduplicator.release(update.update_id);
          logger.error({ err: cause, updateId: update.update_id }, 'Telegram update failed');
          return reply.code(500).send({
            error: {
              code: 'internal',
              message: 'update not handled; Telegram will retry',
              requestId: request.id,
            },
          });
        }
      },
    );
  };
}
