// The default device policy (MATRIX_DEVICE_POLICY=all-devices, README "Which devices can read the
// bot"): a member whose client never set up cross-signing (no published identity) still reads
// what the bot sends and is heard. Under signed-only such a member would get no room key at all
// (matrix-rogue-device.test.ts covers that policy), and the message would still count as delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, type MatrixBotFixture, startMatrixBotFixture } from './support/matrix-bot-fixture.ts';
import { startTestMatrixUser, type TestMatrixUser } from './support/matrix-test-client.ts';

describe('the default device policy', () => {
  let fixture: MatrixBotFixture;
  let member: TestMatrixUser;
  let dm: string;

  beforeAll(async () => {
    fixture = await startMatrixBotFixture('matrix-device-policy');
    const created = await fixture.api('POST', '/v1/members', {
      name: 'Nurlan Plainclient',
      country: 'KZ',
      role: 'member',
    });
    const invite = await fixture.api('POST', `/v1/members/${String(created.body.id)}/invites`);
    member = await startTestMatrixUser(fixture.homeserver, 'dp-member', { crossSign: false });
    dm = await member.createEncryptedDm(fixture.botUserId);
    await member.waitForJoin(dm, fixture.botUserId);
    await fixture.nextFromBot(member, dm, 0);
    await member.client.sendTextMessage(dm, `!link ${String(invite.body.code)}`);
    await member.waitForMessage(
      (message) =>
        message.roomId === dm &&
        message.sender === fixture.botUserId &&
        body(message).includes('Nurlan Plainclient'),
    );
  }, 120_000);

  afterAll(async () => {
    await member.stop();
    await fixture.close();
  });

  it('a member without cross-signing reads the encrypted answer and is heard', async () => {
    // No identity was published for the member: the case signed-only would leave unreadable.
    const ownKeys = await member.client.getCrypto()?.getCrossSigningKeyId();
    expect(ownKeys ?? null).toBeNull();
    await member.client.sendTextMessage(dm, 'who handles extradition in Kyrgyzstan');
    const answer = await member.waitForMessage(
      (message) =>
        message.roomId === dm && message.sender === fixture.botUserId && /Kyrgyz/i.test(body(message)),
    );
    // Decrypted on the member's side: the room is encrypted and the body is readable.
    expect(answer.encrypted).toBe(true);
    expect(body(answer)).toMatch(/extradition/i);
  }, 180_000);
});
