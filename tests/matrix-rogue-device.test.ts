// A rogue device on a member's account: someone with the member's password logs in as a new
// device and never gets it signed by the member. The bot shares room keys only with devices their
// owner cross-signed (README, "Which devices can read the bot"), so a sensitive message reaches the
// member's own devices (also a second one they verified, added at the same time as the rogue one:
// proof the bot knew of the new devices when it sent) and never the rogue one; and the bot does not
// answer what the rogue device writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, type MatrixBotFixture, startMatrixBotFixture, waitFor } from './support/matrix-bot-fixture.ts';
import {
  type ReceivedMessage,
  startTestMatrixUser,
  type TestMatrixUser,
} from './support/matrix-test-client.ts';

const secret =
  'Consultation on the extradition of Marat Zhaksylykov: file 2026/4471, hearing in Almaty on 12 December, witness Gulnara Temirbekova.';
/** Every distinctive word of the secret: a truncated or re-worded leak is still found. */
const secretWords = ['Zhaksylykov', '4471', 'Almaty', 'Gulnara', 'Temirbekova', 'extradition', 'witness'];

describe('a rogue device on a member’s account', () => {
  let fixture: MatrixBotFixture;
  let member: TestMatrixUser;
  let dm: string;
  let second: TestMatrixUser;
  let rogue: TestMatrixUser;

  beforeAll(async () => {
    fixture = await startMatrixBotFixture('matrix-rogue-device', {
      env: { MATRIX_DEVICE_POLICY: 'signed-only' },
    });
    ({ user: member, dm } = await fixture.linkedMember('rd-member', 'Dana Rogova', 'KZ'));
    second = await startTestMatrixUser(fixture.homeserver, 'rd-member', { anotherDevice: true });
    rogue = await startTestMatrixUser(fixture.homeserver, 'rd-member', { anotherDevice: true });
  }, 120_000);

  afterAll(async () => {
    await second.stop();
    await rogue.stop();
    await fixture.close();
  });

  it('sends the room key of a sensitive message to the member’s signed devices only', async () => {
    const { homeserver, botUserId, testApp } = fixture;
    const secondDevice = second.client.getDeviceId()!;
    const rogueDevice = rogue.client.getDeviceId()!;
    const crypto = member.client.getCrypto()!;
    const signedAt = homeserver.requests.length;
    // The member verifies their second device from the first (which holds the self-signing key).
    await waitFor(async () => {
      const devices = (await crypto.getUserDeviceInfo([member.userId], true)).get(member.userId);
      return devices?.has(secondDevice) === true && devices.has(rogueDevice) ? true : undefined;
    }, 'the member’s first device to see the new ones');
    await crypto.crossSignDevice(secondDevice);
    // The signature travels through the homeserver; the first device sees it after a key query.
    await waitFor(
      async () =>
        (await crypto.getDeviceVerificationStatus(member.userId, secondDevice))?.signedByOwner === true
          ? true
          : undefined,
      'the second device to be signed',
    );
    // The bot hears of the change in its sync and asks for the member's keys again; a message it
    // encrypts from then on waits for that answer. (Sending earlier would test nothing new.)
    const signatureUpload =
      signedAt +
      homeserver.requests
        .slice(signedAt)
        .findIndex((request) => request.path.endsWith('/keys/signatures/upload'));
    expect(signatureUpload).toBeGreaterThanOrEqual(signedAt);
    await waitFor(
      () =>
        homeserver.requests
          .slice(signatureUpload + 1)
          .some(
            (request) =>
              request.userId === botUserId &&
              request.path.endsWith('/keys/query') &&
              request.status === 200 &&
              request.body?.includes(member.userId) === true,
          )
          ? true
          : undefined,
      'the bot to fetch the member’s keys after the signature',
    );
    expect((await crypto.getDeviceVerificationStatus(member.userId, rogueDevice))?.signedByOwner).toBe(false);

    // The bot applies that answer on its own time (on a loaded machine, seconds later): a message
    // it encrypts before then does not reach the second device yet, as a session verified moments
    // earlier may miss a message in Element. So probes with nothing secret in them go out until
    // both signed devices read one: from then on the bot knows the new devices, the rogue one too
    // (both came in the same answer; the member's first device saw them before signing).
    const adapter = testApp.application.bots.matrix!.adapter;
    let probe = 0;
    await waitFor(async () => {
      probe += 1;
      const text = `Probe ${probe}: is this device signed?`;
      const { messageId: probeId } = await adapter.send(
        member.userId,
        { text, requiresEncryption: true },
        { idempotencyKey: `rogue-device-probe-${probe}` },
      );
      const read = await Promise.all(
        [member, second].map((device) => device.waitForMessage((message) => message.eventId === probeId)),
      );
      if (read.every((message) => message.content.body === text)) return true;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return undefined;
    }, 'both signed devices to read a probe');

    const { messageId } = await adapter.send(
      member.userId,
      { text: secret, requiresEncryption: true },
      { idempotencyKey: 'rogue-device-sensitive' },
    );
    // Positive first: both signed devices decrypt it, and the rogue one has received the event.
    for (const device of [member, second]) {
      const got = await device.waitForMessage((message) => message.eventId === messageId, 90_000);
      expect(got).toMatchObject({ encrypted: true, content: { body: secret } });
    }
    const atRogue = await rogue.waitForMessage((message) => message.eventId === messageId, 90_000);
    expect(atRogue.encrypted).toBe(true);
    expect(secretWords.filter((word) => JSON.stringify(atRogue.content).includes(word))).toEqual([]);

    // The homeserver's record of to-device traffic: room keys travel as olm-encrypted to-device
    // messages. The new signed device got one from the bot (so the bot knew of the new devices);
    // the rogue device got none, and nothing the bot sent it names the secret.
    const fromBot = homeserver.toDeviceMessages().filter((message) => message.sender === botUserId);
    expect(
      fromBot.some((message) => message.targetDevice === secondDevice && message.type === 'm.room.encrypted'),
    ).toBe(true);
    const toRogue = fromBot.filter((message) => message.targetDevice === rogueDevice);
    expect(
      toRogue.filter((message) =>
        ['m.room.encrypted', 'm.room_key', 'm.forwarded_room_key'].includes(message.type),
      ),
    ).toEqual([]);
    expect(secretWords.filter((word) => JSON.stringify(toRogue).includes(word))).toEqual([]);
  }, 300_000);

  it('does not answer what the rogue device writes', async () => {
    const { botUserId } = fixture;
    const isHelp = (message: ReceivedMessage) => /^(Commands:|Команды:)/m.test(body(message));
    const before = fixture.botMessages(member, dm).length;
    await rogue.client.sendTextMessage(dm, 'who handles extradition in Kyrgyzstan');
    // The rogue client shared its room key with the bot before sending (to-device goes first, and
    // a sync hands over to-device messages before the timeline): the bot could decrypt it, if it
    // trusted the device.
    const rogueDevice = rogue.client.getDeviceId()!;
    expect(
      fixture.homeserver
        .toDeviceMessages()
        .some(
          (message) =>
            message.senderDevice === rogueDevice &&
            message.target === botUserId &&
            message.type === 'm.room.encrypted',
        ),
    ).toBe(true);
    // The marker: the member's own !help. The bot handles a room's events in order and sends its
    // replies in order, so once the help is here an answer to the rogue question would be too.
    await member.client.sendTextMessage(dm, '!help');
    await waitFor(
      () => (fixture.botMessages(member, dm).slice(before).some(isHelp) ? true : undefined),
      'the answer to the member',
      30_000,
    );
    const since = fixture.botMessages(member, dm).slice(before);
    expect(since.map((message) => (isHelp(message) ? 'help' : body(message)))).toEqual(['help']);
  }, 180_000);
});
