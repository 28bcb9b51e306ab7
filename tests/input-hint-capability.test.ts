// A flow step's input hint is as long as the member's messenger shows one: the adapter declares
// maxInputHintLength and the core cuts the hint to it, or sends none where the messenger shows
// none. Driven through the application's conversation engine (real Postgres and Redis) with a
// made-up messenger described next to the registry's, whose input field takes seven characters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixAdapterModule } from '../bots/matrix/index.ts';
import { telegramAdapterModule } from '../bots/telegram/index.ts';
import {
  classifyTransportFailure,
  unknownMessengerCapabilities,
  type InboundMessage,
  type MessengerAdapterModule,
  type OutboundMessage,
} from '../src/chat/index.ts';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

/** Described only (no running adapter): the engine answers its conversations by what it declares. */
const narrowHints: MessengerAdapterModule = {
  messenger: {
    platform: 'slate',
    capabilities: { ...unknownMessengerCapabilities, maxInputHintLength: 7 },
    classifyFailure: classifyTransportFailure,
  },
  create: () => undefined,
  wayInFromConfig: () => Promise.resolve(undefined),
};

let testApp: TestApp;
beforeAll(async () => {
  testApp = await startTestApp('input_hint_capability', {
    clock: createTestClock(demoDay),
    adapters: { slate: narrowHints },
  });
});
afterAll(async () => {
  await testApp.close();
});

let accounts = 0;
/** The first element step of a draft, reached by a member linked on `platform`. */
async function firstDraftStep(platform: string): Promise<OutboundMessage | undefined> {
  accounts += 1;
  const base: Omit<InboundMessage, 'text'> = {
    platform,
    platformUserId: `hint-${String(accounts)}`,
    chatId: `hint-${String(accounts)}`,
    chatType: 'private',
  };
  const engine = testApp.application.engine;
  const created = await createMember(testApp, { name: `Hint Reader ${String(accounts)}`, country: 'KZ' });
  await engine.handle({ ...base, text: `/link ${(await createInvite(testApp, created.id)).code}` });
  await engine.handle({ ...base, text: '/draft' });
  await engine.handle({ ...base, text: 'Uzbekistan' });
  const step = (await engine.handle({ ...base, buttonAction: 'draft:k:mla' })).at(-1);
  expect(step?.text).toContain('1/9 · Summary of facts');
  return step;
}

describe("a flow step's input hint", () => {
  it('is cut to what the messenger declares it shows', async () => {
    expect((await firstDraftStep('slate'))?.expects).toEqual({ kind: 'text', placeholder: 'Summary' });
    const telegram = telegramAdapterModule.messenger.capabilities.maxInputHintLength;
    expect(telegram).toBe(64);
    expect((await firstDraftStep('telegram'))?.expects).toEqual({
      kind: 'text',
      placeholder: 'Summary of facts',
    });
  });

  it('is left out where the messenger shows none', async () => {
    expect(matrixAdapterModule.messenger.capabilities.maxInputHintLength).toBe(0);
    expect((await firstDraftStep('matrix'))?.expects).toEqual({ kind: 'text' });
  });
});
