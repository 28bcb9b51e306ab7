// Pushes to the web console over server-sent events: the web ChatAdapter reaches open consoles,
// a reconnect replays what it missed, a push crosses API replicas through Redis, and a
// consultation between two console users runs live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../src/application.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { maxStreamsPerSession } from '../bots/web/console-events.ts';
import { eventually, withinDeadline } from './support/eventually.ts';
import { openSse } from './support/sse-reader.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { csrf, sessionCookie, webConsoleClient } from './support/web-console-client.ts';

let test: TestApp;
let app: Application['app'];
let client: ReturnType<typeof webConsoleClient>;

beforeAll(async () => {
  test = await startTestApp('web-console-pushes');
  app = test.application.app;
  client = webConsoleClient(app, test.adminToken);
});
afterAll(async () => {
  await test.close();
});

const baseUrl = () => client.baseUrl();
const loggedInMember = (...args: Parameters<typeof client.loggedInMember>) => client.loggedInMember(...args);

describe('pushed messages', () => {
  it('a push to a member reaches their open console over SSE, and a reconnect replays what it missed', async () => {
    const { memberId, secret } = await loggedInMember('Lola Web-Push');
    const base = await baseUrl();
    const cookie = `${sessionCookie}=${secret}`;
    const stream = await openSse(`${base}/console/events`, { cookie });
    expect(stream.status).toBe(200);
    const ready = await stream.next('ready');
    expect(JSON.parse(ready.data)).toEqual({ latest: '0-0' });

    const pushes = test.application.webConsole.pushes;
    await pushes.adapter.send(memberId, {
      text: 'Consultation accepted by kg-001',
      buttons: [{ label: 'Reply', action: 'consult:reply:1' }],
    });
    const pushed = await stream.next('push');
    expect(JSON.parse(pushed.data)).toMatchObject({ text: 'Consultation accepted by kg-001' });
    stream.close();
    // A console opened now starts reading after that push (the login answer says where).
    const me = await app.inject({ method: 'GET', url: '/console/me', cookies: { [sessionCookie]: secret } });
    expect(me.json()).toMatchObject({ latestPush: pushed.id });

    // The outbox retries a delivery it is unsure of with the same key: it is stored and shown once.
    const first = await pushes.adapter.send(
      memberId,
      { text: 'Sent while the tab was closed' },
      { idempotencyKey: 'outbox-row-1' },
    );
    const retried = await pushes.adapter.send(
      memberId,
      { text: 'Sent while the tab was closed' },
      { idempotencyKey: 'outbox-row-1' },
    );
    expect(retried.messageId).toBe(first.messageId);
    await pushes.adapter.send(memberId, { text: 'And one more' });
    const resumed = await openSse(`${base}/console/events?after=${pushed.id!}`, { cookie });
    expect(JSON.parse((await resumed.next('push')).data)).toMatchObject({
      text: 'Sent while the tab was closed',
    });
    expect(JSON.parse((await resumed.next('push')).data)).toMatchObject({ text: 'And one more' });
    resumed.close();

    expect((await openSse(`${base}/console/events`, { cookie: `${sessionCookie}=cps_nope` })).status).toBe(
      401,
    );
  });

  it('with two API replicas, a push sent through one reaches the stream held by the other', async () => {
    const { memberId, secret } = await loggedInMember('Mirlan Web-Replicas');
    const config = loadConfig({
      DATABASE_URL: test.database.url,
      REDIS_URL: test.application.redis.url!,
      REDIS_PREFIX: test.application.config.redis.prefix,
      LOG_LEVEL: 'silent',
    });
    const replica = await createApplication(config, createLogger('silent'));
    try {
      const base = await replica.app.listen({ host: '127.0.0.1', port: 0 });
      const stream = await openSse(`${base}/console/events`, { cookie: `${sessionCookie}=${secret}` });
      await stream.next('ready');
      await test.application.webConsole.pushes.adapter.send(memberId, { text: 'From the other replica' });
      expect(JSON.parse((await stream.next('push')).data)).toMatchObject({ text: 'From the other replica' });
      stream.close();
    } finally {
      await replica.stop();
    }
  });

  it('a consultation between two console users: the request, the acceptance and the replies arrive live', async () => {
    const base = await baseUrl();
    const asker = await loggedInMember('Olzhas Web-Asker', 'KZ');
    // The person behind registry contact kg-001 (head of extradition in Kyrgyzstan).
    const counterpart = await loggedInMember('Bakyt Web-Counterpart', 'KG', 'kg-001');
    const askerStream = await openSse(`${base}/console/events`, {
      cookie: `${sessionCookie}=${asker.secret}`,
    });
    const counterpartStream = await openSse(`${base}/console/events`, {
      cookie: `${sessionCookie}=${counterpart.secret}`,
    });
    await Promise.all([askerStream.next('ready'), counterpartStream.next('ready')]);
    const say = client.say;
    const buttonOf = (messages: { buttons?: { label: string; action: string }[] }[], label: RegExp) =>
      messages.flatMap((message) => message.buttons ?? []).find((button) => label.test(button.label))!.action;

    const answer = await say(asker, { text: 'Who handles extradition in Kyrgyzstan?' });
    const sensitivity = await say(asker, { action: buttonOf(answer, /consultation/i) });
    await say(asker, { action: buttonOf(sensitivity, /not sensitive/i) });
    await say(asker, { text: 'Which documents do you need for an extradition request?' });

    const request = JSON.parse((await counterpartStream.next('push')).data) as {
      text: string;
      buttons: { label: string; action: string }[];
    };
    expect(request.text).toContain('Which documents do you need for an extradition request?');
    await say(counterpart, { action: buttonOf([request], /accept/i) });
    expect(JSON.parse((await askerStream.next('push')).data).text).toContain('accepted consultation');

    await say(counterpart, { text: 'A certified copy of the arrest warrant, in Russian.' });
    let relayed = '';
    while (!relayed.includes('arrest warrant'))
      relayed = JSON.parse((await askerStream.next('push')).data).text;
    askerStream.close();
    counterpartStream.close();
  });

  it('logging out ends the open event stream', async () => {
    const { secret } = await loggedInMember('Nazira Web-Stream-Logout');
    const stream = await openSse(`${await baseUrl()}/console/events`, {
      cookie: `${sessionCookie}=${secret}`,
    });
    await stream.next('ready');
    await app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: csrf,
      cookies: { [sessionCookie]: secret },
      payload: {},
    });
    // The server says so and closes the stream right there (not at the next keep-alive, when the
    // periodic session check would end it anyway); the cookie no longer opens a new one.
    await stream.next('session-ended');
    await withinDeadline(stream.ended, 'the server to close the event stream', 60_000);
    expect(stream.timeline.slice(stream.timeline.indexOf('session-ended'))).toEqual(['session-ended']);
    stream.close();
    const again = await openSse(`${await baseUrl()}/console/events`, {
      cookie: `${sessionCookie}=${secret}`,
    });
    expect(again.status).toBe(401);
    again.close();
  });

  it('one session holds at most eight event streams; a ninth is refused until one closes', async () => {
    const { secret } = await loggedInMember('Timur Web-Many-Tabs');
    const url = `${await baseUrl()}/console/events`;
    const cookie = `${sessionCookie}=${secret}`;
    const open = [];
    for (let tab = 0; tab < maxStreamsPerSession; tab++) {
      const stream = await openSse(url, { cookie });
      expect(stream.status).toBe(200);
      await stream.next('ready');
      open.push(stream);
    }
    const refused = await openSse(url, { cookie });
    expect(refused.status).toBe(429);
    refused.close();

    // A closed tab frees its place (the server sees the socket close).
    open.shift()?.close();
    await eventually(async () => {
      const again = await openSse(url, { cookie });
      if (again.status !== 200) {
        again.close();
        return undefined;
      }
      open.push(again);
      return again;
    }, 'a place for a new stream after a tab closed');
    for (const stream of open) stream.close();
  });
});
