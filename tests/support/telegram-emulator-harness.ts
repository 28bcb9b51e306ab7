// Vitest glue for tests that drive grammY bots against the Telegram emulator: a fresh emulator per
// test, bots pointed at it, and everything (bots, webhook servers) stopped afterwards.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError } from 'grammy';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  startTelegramEmulator,
  TelegramEmulator,
  type TelegramEmulatorOptions,
} from './telegram-emulator.ts';

export interface TelegramEmulatorHarness {
  /** The current test's emulator (a stable handle: it may be destructured outside the tests). */
  readonly telegram: TelegramEmulator;
  /**
   * A grammY bot using the emulator as its API root. Like any bot meant for Telegram it waits out a
   * 429's retry_after and tries again (the emulator's flood limits are on); a test about the 429
   * itself passes `{ waitOutFloods: false }` to see it.
   */
  createBot: (options?: { waitOutFloods?: boolean }) => Bot;
  /** Starts long polling (resolves once polling runs); the bot is stopped after the test. */
  startPolling: (bot: Bot) => Promise<void>;
  /** A local HTTP server for webhook deliveries; returns its URL. Closed after the test. */
  startWebhookServer: (
    handler: (request: IncomingMessage, response: ServerResponse) => void,
  ) => Promise<string>;
  /** A Bot API call without grammY: POST `init` to `{apiRoot}/bot<token>/<method>`. */
  callRaw: (
    method: string,
    init?: RequestInit,
    token?: string,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Registers beforeEach/afterEach hooks that start and stop an emulator around every test. */
export function useTelegramEmulator(options: TelegramEmulatorOptions = {}): TelegramEmulatorHarness {
  let current: TelegramEmulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const emulator = (): TelegramEmulator => {
    if (current === undefined) throw new Error('the Telegram emulator only exists inside a test');
    return current;
  };

  beforeEach(async () => {
    current = await startTelegramEmulator(options);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await current?.close();
    current = undefined;
  });

  // Every property read goes to the emulator of the test that is running.
  const telegram = new Proxy(Object.create(TelegramEmulator.prototype) as TelegramEmulator, {
    get: (_target, key) => {
      const value: unknown = Reflect.get(emulator(), key);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(emulator())
        : value;
    },
  });

  return {
    telegram,
    createBot: (options = {}) => {
      const bot = new Bot(emulator().token, { client: { apiRoot: emulator().apiRoot } });
      if (options.waitOutFloods !== false)
        bot.api.config.use(autoRetry({ rethrowInternalServerErrors: true, rethrowHttpErrors: true }));
      return bot;
    },
    startPolling: async (bot) => {
      await new Promise<void>((resolve) => {
        void bot.start({ timeout: 2, onStart: () => { resolve(); } }); // prettier-ignore
      });
      cleanups.push(() => bot.stop());
    },
    startWebhookServer: async (handler) => {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => { resolve(); })); // prettier-ignore
      });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
    },
    callRaw: async (method, init = {}, token = emulator().token) => {
      const response = await fetch(`${emulator().apiRoot}/bot${token}/${method}`, {
        method: 'POST',
        ...init,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

/** Expects a grammY call to fail with this Bot API error code and description. */
export async function expectBotApiError(
  promise: Promise<unknown>,
  code: number,
  description: string | RegExp,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GrammyError);
  expect((error as GrammyError).error_code).toBe(code);
  expect((error as GrammyError).description).toMatch(description);
}
