// Running the Matrix bot for real: several replicas side by side (one syncs, the others stand by
// and take over), and an account configured with an access token instead of a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  body,
  botPassword,
  type MatrixBotFixture,
  startMatrixBotFixture,
  waitFor,
} from './support/matrix-bot-fixture.ts';
import type { ReceivedMessage, TestMatrixUser } from './support/matrix-test-client.ts';

describe('Matrix bot replicas and accounts', () => {
  let fixture: MatrixBotFixture;
  let alice: TestMatrixUser;
  let dm: string;

  beforeAll(async () => {
    fixture = await startMatrixBotFixture('matrix_replicas');
    ({ user: alice, dm } = await fixture.linkedMember('alice', 'Aliya Nurlanova', 'KZ'));
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('a second replica stands by while the first syncs, and takes over when it stops', async () => {
    const { homeserver, botUserId, testApp } = fixture;
    const first = testApp.application.bots.matrix!;
    const second = fixture.anotherBot({
      account: {
        homeserverUrl: homeserver.url,
        userId: botUserId,
        accessToken: undefined,
        password: botPassword,
        deviceName: 'bot',
      },
      lockTtlMs: 3000,
      retryBaseMs: 200,
    });
    second.start();
    try {
      await waitFor(
        () => (second.status() === 'standby' ? true : undefined),
        'the second replica to stand by',
      );
      expect(await second.readiness.check()).toBe('ok');
      await expect(second.adapter.send(dm, { text: 'hello' })).rejects.toMatchObject({
        failure: { kind: 'retry', code: 'matrix_other_replica_syncs' },
      });

      await first.stop();
      await waitFor(
        () => (second.status() === 'syncing' ? true : undefined),
        'the second replica to take over',
      );
      const before = fixture.botMessages(alice, dm).length;
      await alice.client.sendTextMessage(dm, 'who handles extradition in Kazakhstan');
      const answer = await fixture.nextFromBot(alice, dm, before);
      expect(body(answer)).toMatch(/Kazakhstan/);
      expect(await fixture.messagesBeforeMarker(alice, dm)).toHaveLength(before + 1);
      // Both replicas are the same device: its keys live in the database, not in the process.
      expect(homeserver.devicesOf(botUserId)).toHaveLength(1);
    } finally {
      await second.stop();
      first.start();
    }
    await waitFor(
      () => (first.status() === 'syncing' ? true : undefined),
      'the first replica to sync again',
      30_000,
    );
  }, 180_000);

  it('works with an access token instead of a password, keeping that device across restarts', async () => {
    const { homeserver } = fixture;
    const tokenBot = homeserver.registerUser('tokenbot');
    const { accessToken, deviceId } = homeserver.login(tokenBot.userId);
    const make = () =>
      fixture.anotherBot({
        account: {
          homeserverUrl: homeserver.url,
          userId: tokenBot.userId,
          accessToken,
          password: undefined,
          deviceName: 'bot',
        },
      });
    let bot = make();
    bot.start();
    try {
      await waitFor(() => (bot.status() === 'syncing' ? true : undefined), 'the token bot to sync');
      const room = await alice.createEncryptedDm(tokenBot.userId);
      const fromTokenBot = (message: ReceivedMessage) =>
        message.roomId === room && message.sender === tokenBot.userId;
      await alice.waitForMessage(fromTokenBot);
      await bot.stop();
      await alice.client.sendTextMessage(room, 'who handles extradition in Tajikistan');
      bot = make();
      bot.start();
      const answer = await alice.waitForMessage(
        (message) => fromTokenBot(message) && body(message).includes('Tajikistan'),
      );
      expect(answer.encrypted).toBe(true);
      expect(homeserver.devicesOf(tokenBot.userId)).toEqual([deviceId]);
    } finally {
      await bot.stop();
    }
  });
});
