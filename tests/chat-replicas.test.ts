// Two API replicas behind a load balancer, sharing the database and Redis. A member's state lives
// in the database only (a flow in progress, an accepted consultation); these stories check that
// what one replica starts changes what the other does with that member's next message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../src/application.ts';
import type { InboundMessage, OutboundMessage } from '../src/chat/index.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
/** The first replica is the test app's; the second shares its database and Redis prefix. */
let first: Application;
let second: Application;

beforeAll(async () => {
  testApp = await startTestApp('chat_replicas');
  first = testApp.application;
  second = await createApplication(
    loadConfig({
      DATABASE_URL: testApp.database.url,
      REDIS_URL: first.redis.url ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: first.config.redis.prefix,
      LOG_LEVEL: 'silent',
      RUN_MODE: 'api',
    }),
    createLogger('silent'),
  );
});

afterAll(async () => {
  await second.stop();
  await testApp.close();
});

let accounts = 0;

/** A member with a Matrix account linked through an invite, who can write to either replica. */
async function person(name: string, input: { country: string; contactId?: string }) {
  const member = await createMember(testApp, { name, ...input, locale: 'en' });
  const invite = await createInvite(testApp, member.id);
  accounts += 1;
  const base = {
    platform: 'matrix' as const,
    platformUserId: `@replica${accounts}:test.example`,
    chatId: `!replica${accounts}:test.example`,
    chatType: 'private' as const,
  };
  const send = (replica: Application, message: Partial<InboundMessage>): Promise<OutboundMessage[]> =>
    replica.engine.handle({ ...base, ...message });
  expect((await send(first, { text: `!link ${invite.code}` }))[0]?.text).toContain(name);
  return {
    member,
    token: await createToken(testApp, member.id),
    say: (replica: Application, text: string) => send(replica, { text }),
    press: (replica: Application, action: string) => send(replica, { buttonAction: action }),
  };
}

describe('free text across replicas', () => {
  it('on one replica, a member who has been asking questions can type the reference a new request asks for', async () => {
    const requester = await person('Aset Single-Replica', { country: 'KZ' });
    expect((await requester.say(first, 'asset recovery in Armenia'))[0]?.text).toContain('Armenia');
    await requester.say(first, '!newrequest KZ-AR-2026/5');
    await requester.press(first, 'req:new:t:asset_recovery');
    await requester.press(first, 'req:new:c:AM');
    await requester.press(first, 'req:new:s:0');
    await requester.press(first, 'req:new:u:1');
    const next = await requester.say(first, 'Freezing of a bank account');
    expect(next[0]?.text).toContain('Registered: KZ-AR-2026/5');
  });

  it('a reference typed to one replica completes a request started on the other', async () => {
    const requester = await person('Gulnara Replica-Requester', { country: 'KZ' });
    // A plain question first: the first replica now knows she has nothing in progress.
    const answer = await requester.say(first, 'who handles extradition in Kyrgyzstan');
    expect(answer[0]?.text).toContain('Kyrgyzstan');

    await requester.say(second, '!newrequest');
    await requester.press(second, 'req:new:t:mla');
    await requester.press(second, 'req:new:c:UZ');
    await requester.press(second, 'req:new:s:7');
    const prompt = await requester.press(second, 'req:new:u:0');
    expect(prompt[0]?.text).toContain('type your reference');

    const next = await requester.say(first, 'KZ-MLA-2026/777');
    expect(next[0]?.text).toContain('Reference KZ-MLA-2026/777: now type a short, non-sensitive subject');
    const done = await requester.say(second, 'Hearing of a witness');
    expect(done[0]?.text).toContain('Registered: KZ-MLA-2026/777');
  });

  it('after the counterpart accepts on one replica, the asker’s text on the other goes to the consultation', async () => {
    const asker = await person('Daniyar Replica-Asker', { country: 'KZ' });
    const counterpart = await person('Bakyt Replica-Counterpart', { country: 'KG', contactId: 'kg-001' });
    const started = await first.app.inject({
      method: 'POST',
      url: '/v1/consultations',
      headers: { authorization: `Bearer ${asker.token}` },
      payload: {
        country: 'KG',
        competence: 'extradition',
        contactId: 'kg-001',
        description: 'Is a video hearing possible?',
      },
    });
    expect(started.statusCode).toBe(201);
    const { ref } = started.json<{ ref: string }>();

    // Waiting for an answer, her text is still a question, and the first replica remembers that.
    const meanwhile = await asker.say(first, 'MLA Tashkent');
    expect(meanwhile[0]?.text).toContain('Uzbekistan');

    const accepted = await counterpart.press(second, `consult:accept:${ref.slice(2)}`);
    expect(accepted[0]?.text).toContain(`You accepted consultation ${ref}`);

    // Relayed to the counterpart: nothing to answer in her chat, and the consultation counts it.
    expect(await asker.say(first, 'Thank you, here are the details')).toEqual([]);
    const detail = await first.app.inject({
      method: 'GET',
      url: `/v1/consultations/${ref}`,
      headers: { authorization: `Bearer ${asker.token}` },
    });
    expect(detail.json<{ messages: { fromAsker: number } }>().messages.fromAsker).toBe(1);
  });

  it('a consultation started on one replica goes back a step on the other and is sent from the first', async () => {
    const asker = await person('Kamila Replica-Flow', { country: 'KZ' });
    const sensitivity = await asker.say(first, '!consult KG extradition');
    expect(sensitivity[0]?.text).toContain('Is this consultation sensitive?');
    expect((await asker.press(second, 'consult:sens:n'))[0]?.text).toContain('Describe your question');
    expect((await asker.say(second, '!back'))[0]?.text).toContain('Is this consultation sensitive?');
    expect((await asker.press(first, 'consult:sens:n'))[0]?.text).toContain('Describe your question');
    const started = await asker.say(first, 'Can the surrender hearing be held by video link?');
    expect(started[0]?.text).toMatch(/Consultation C-\d+ is on its way/);
  });

  it('a request started on one replica is cancelled on the other', async () => {
    const requester = await person('Yerzhan Replica-Cancel', { country: 'KZ' });
    expect((await requester.say(first, '!newrequest'))[0]?.text).toBe('What kind of request is it?');
    expect((await requester.say(second, '!cancel'))[0]?.text).toBe('Registration cancelled.');
    expect((await requester.press(first, 'req:new:t:mla'))[0]?.text).toContain(
      'This registration has expired',
    );
    expect((await requester.say(first, 'KZ-1'))[0]?.text).not.toContain('short, non-sensitive subject');
  });
});
