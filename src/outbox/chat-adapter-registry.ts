import {
  plainConversation,
  type ChatAdapter,
  type ConversationCapabilities,
  type OutboundMessage,
} from '../chat/chat-types.ts';

/**
 * An adapter whose platform deduplicates sends by a key (Matrix transaction ids): sending again
 * with the same key after a crash cannot deliver twice, so such deliveries are exactly once.
 * Telegram has no such key.
 */
export interface IdempotentChatAdapter extends ChatAdapter {
  sendIdempotent(
    chatId: string,
    message: OutboundMessage,
    idempotencyKey: string,
  ): Promise<{ messageId: string }>;
}

export const isIdempotent = (adapter: ChatAdapter): adapter is IdempotentChatAdapter =>
  typeof (adapter as Partial<IdempotentChatAdapter>).sendIdempotent === 'function';

/** The messengers this process can push through, by platform; the composition root registers them. */
export interface ChatAdapterRegistry {
  register(adapter: ChatAdapter): void;
  get(platform: string): ChatAdapter | undefined;
  platforms(): string[];
  /** What a chat can carry, asked of its messenger's adapter; a messenger without one here says nothing. */
  capabilities(conversation: { platform: string; chatId: string }): Promise<ConversationCapabilities>;
}

export function createChatAdapterRegistry(adapters: readonly ChatAdapter[] = []): ChatAdapterRegistry {
  const byPlatform = new Map<string, ChatAdapter>(adapters.map((adapter) => [adapter.platform, adapter]));
  return {
    register(adapter) {
      byPlatform.set(adapter.platform, adapter);
    },
    get: (platform) => byPlatform.get(platform),
    platforms: () => [...byPlatform.keys()],
    async capabilities({ platform, chatId }) {
      return (await byPlatform.get(platform)?.capabilities?.(chatId)) ?? plainConversation;
    },
  };
}
