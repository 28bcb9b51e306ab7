// "Tin can": a made-up messenger with the smallest protocol that still has users, chats, buttons
// and failures, to show that adding a messenger is one adapter and nothing in the core. The
// protocol server stands in for the messenger's cloud; the adapter is what an adapter folder in
// bots/ would hold, built only from src/chat's public port (MessengerAdapterModule).
//
// Protocol (JSON over HTTP):
//   GET  /updates?after=<id>  -> { updates: [{ id, from, chat, text? , press? }] }  what users did
//   POST /send { chat, text, buttons: [{ label, action }], key } -> { id }  (a repeated key is
//        answered with the first id: idempotent sends); 404 for a chat that does not exist
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  answerInline,
  ChatDeliveryError,
  classifyTransportFailure,
  failureFromStatus,
  type ChatAdapter,
  type InboundMessage,
  type MessengerAdapterModule,
  type Messenger,
} from '../../src/chat/index.ts';

export const tinCanPlatform = 'tincan';

interface Update {
  id: number;
  from: string;
  chat: string;
  text?: string;
  press?: string;
}

export interface TinCanMessage {
  id: string;
  chat: string;
  text: string;
  buttons: { label: string; action: string }[];
}

export interface TinCanServer {
  readonly url: string;
  /** A user types into their chat with the bot (the chat exists from then on). */
  say(user: string, text: string): void;
  /** A user presses a button of a message the bot sent. */
  press(user: string, message: TinCanMessage, label: string): void;
  /** What the bot sent to a user's chat, in order. */
  sent(user: string): TinCanMessage[];
  /** Resolves with the bot's `n`th message (1-based) to a user once it has arrived. */
  nth(user: string, n: number, timeoutMs?: number): Promise<TinCanMessage>;
  close(): Promise<void>;
}

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
};

/** The messenger's side: users, their chats with the bot, and what the bot sent. */
export async function startTinCanServer(): Promise<TinCanServer> {
  const updates: Update[] = [];
  const chats = new Map<string, TinCanMessage[]>();
  const byKey = new Map<string, string>();
  let nextMessage = 1;
  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://tincan');
    if (request.method === 'GET' && url.pathname === '/updates') {
      const after = Number(url.searchParams.get('after') ?? 0);
      answer(200, { updates: updates.filter((update) => update.id > after) });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/send') {
      void readJson(request).then((body) => {
        const chat = String(body.chat);
        const key = String(body.key);
        const messages = chats.get(chat);
        if (messages === undefined) {
          answer(404, { error: 'no such chat' });
          return;
        }
        const known = byKey.get(key);
        if (known !== undefined) {
          answer(200, { id: known });
          return;
        }
        const id = `m${String(nextMessage++)}`;
        byKey.set(key, id);
        messages.push({
          id,
          chat,
          text: String(body.text),
          buttons: (body.buttons ?? []) as TinCanMessage['buttons'],
        });
        answer(200, { id });
      });
      return;
    }
    answer(404, { error: 'unknown call' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const chatOf = (user: string) => `chat-${user}`;
  const push = (update: Omit<Update, 'id'>) => {
    if (!chats.has(update.chat)) chats.set(update.chat, []);
    updates.push({ ...update, id: updates.length + 1 });
  };
  return {
    url,
    say: (user, text) => {
      push({ from: user, chat: chatOf(user), text });
    },
    press: (user, message, label) => {
      const button = message.buttons.find((candidate) => candidate.label === label);
      if (button === undefined) {
        throw new Error(`no "${label}" among ${JSON.stringify(message.buttons.map((b) => b.label))}`);
      }
      push({ from: user, chat: chatOf(user), press: button.action });
    },
    sent: (user) => [...(chats.get(chatOf(user)) ?? [])],
    async nth(user, n, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const message = chats.get(chatOf(user))?.[n - 1];
        if (message !== undefined) return message;
        if (Date.now() > deadline) {
          throw new Error(`message ${String(n)} to ${user} not sent in ${String(timeoutMs)} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** What the tin can can do and what its failures mean: the whole of the core's knowledge of it. */
const tinCanMessenger: Messenger = {
  platform: tinCanPlatform,
  capabilities: {
    endToEndEncrypted: false,
    threads: false,
    choices: 'buttons',
    commandPrefix: '/',
    linkCommand: '/link',
    maxMessageLength: 4000,
    maxInputHintLength: 0,
    maxButtonActionBytes: 64,
    formatting: 'plain',
    idempotentSends: true,
  },
  classifyFailure: classifyTransportFailure,
};

/** The adapter, as an adapter folder would export it: polls for updates, answers and pushes through `send`. */
export function tinCanAdapterModule(serverUrl: string): MessengerAdapterModule {
  return {
    messenger: tinCanMessenger,
    // Its name as people read it, like any adapter folder's locales.
    localesFolder: join(import.meta.dirname, 'tin-can-locales'),
    create({ engine, logger }) {
      const adapter: ChatAdapter = {
        ...tinCanMessenger,
        async send(chatId, message, options) {
          const response = await fetch(`${serverUrl}/send`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              chat: chatId,
              text: message.text,
              buttons: message.buttons ?? [],
              key: options?.idempotencyKey ?? crypto.randomUUID(),
            }),
          });
          if (!response.ok)
            throw new ChatDeliveryError(failureFromStatus(response.status, undefined, 'tincan'));
          return { messageId: ((await response.json()) as { id: string }).id };
        },
      };
      let after = 0;
      let running = false;
      let timer: NodeJS.Timeout | undefined;
      const poll = async () => {
        const response = await fetch(`${serverUrl}/updates?after=${String(after)}`);
        const { updates } = (await response.json()) as { updates: Update[] };
        for (const update of updates) {
          after = update.id;
          const inbound: InboundMessage = {
            platform: tinCanPlatform,
            platformUserId: update.from,
            chatId: update.chat,
            chatType: 'private',
            text: update.text,
            buttonAction: update.press,
            messageId: String(update.id),
          };
          await answerInline(adapter, inbound, await engine.handle(inbound));
        }
      };
      const loop = () => {
        if (!running) return;
        poll()
          .catch((error: unknown) => {
            logger.warn({ err: error }, 'tin can poll failed');
          })
          .finally(() => {
            if (running) timer = setTimeout(loop, 50);
          });
      };
      return {
        adapter,
        readiness: { name: tinCanPlatform, check: () => Promise.resolve(running), optional: true },
        // Polled by API processes; workers only send through `adapter` (no connection to hold).
        connectsIn: 'api',
        wayIn: {
          platform: tinCanPlatform,
          instruction: (code) => ({ to: 'the Counterpart tin can', command: `/link ${code}` }),
        },
        start() {
          running = true;
          loop();
        },
        stop() {
          running = false;
          clearTimeout(timer);
          return Promise.resolve();
        },
      };
    },
    wayInFromConfig: () => Promise.resolve(undefined),
  };
}
