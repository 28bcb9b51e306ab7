// A guided draft on Matrix, end to end: a member in an encrypted DM with the bot writes a request
// with !draft and gets the checklist, the skeleton as text and as an encrypted Word file; the
// homeserver never sees the text or the file in the clear; !cancel midway leaves nothing.
import mammoth from 'mammoth';
import { decryptAttachment, type IEncryptedFile } from 'matrix-encrypt-attachment';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, type MatrixBotFixture, startMatrixBotFixture } from './support/matrix-bot-fixture.ts';
import { everythingMatrixSaw, leakedWords } from './support/leak-search.ts';
import { findLeaks } from './support/storage-leaks.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

const facts = 'Philippa Wrenwhistle laundered 2,611,908 tenge through Brightmoorbank in June';
const assistance = 'Obtain the ledgers 7730-Kessaway from Brightmoorbank';
const secrets = [facts, assistance];

describe('a guided draft on Matrix', () => {
  let fixture: MatrixBotFixture;

  beforeAll(async () => {
    fixture = await startMatrixBotFixture('draft_matrix', { clock: createTestClock(demoDay) });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('an encrypted DM gets the checklist, the text and an encrypted Word file; the homeserver sees none of it', async () => {
    const { user, dm } = await fixture.linkedMember('drafter', 'Saule Matrixova', 'KZ');
    const say = async (text: string, expected: string) => {
      const seen = fixture.botMessages(user, dm).length;
      await user.client.sendTextMessage(dm, text);
      const reply = await fixture.nextFromBot(user, dm, seen);
      expect(body(reply)).toContain(expected);
      return reply;
    };
    await say('!draft', 'Which country will receive the request?');
    await say('Uzbekistan', 'What kind of request to Uzbekistan?');
    const first = await say('Mutual legal assistance', '1/9 · Summary of facts');
    expect(first.encrypted).toBe(true);
    await say(facts, '2/9 · Legal qualification');
    await say('-', '3/9');
    await say('-', '4/9 · Assistance sought');
    await say(assistance, '5/9');
    for (let step = 6; step <= 9; step++) await say('-', `${step}/9`);

    const seen = fixture.botMessages(user, dm).length;
    await user.client.sendTextMessage(dm, '-');
    const checklist = await fixture.nextFromBot(user, dm, seen);
    expect(body(checklist)).toContain('2 of 5 required elements written');
    expect(body(checklist)).toContain('The draft follows as a Word file and as text');
    const text = await fixture.nextFromBot(user, dm, seen + 1);
    expect(text.encrypted).toBe(true);
    expect(body(text)).toContain(facts);
    const file = await fixture.nextFromBot(user, dm, seen + 2);
    expect(file.encrypted).toBe(true);
    expect(file.content.msgtype).toBe('m.file');
    expect(file.content.body).toBe('request-UZ-mla.docx');
    const encryptedFile = file.content.file as IEncryptedFile & { url: string };
    expect(encryptedFile.url).toMatch(/^mxc:\/\//);
    expect(file.content.url).toBeUndefined();

    // The homeserver holds only ciphertext; the member's client decrypts it with the event's key.
    const stored = fixture.homeserver.media(encryptedFile.url);
    expect(stored).toBeDefined();
    const ciphertext = stored ?? Buffer.alloc(0);
    const plain = await decryptAttachment(Uint8Array.from(ciphertext).buffer, encryptedFile);
    const { value: document } = await mammoth.extractRawText({ buffer: Buffer.from(plain) });
    expect(document).toContain('Генеральная прокуратура Республики Узбекистан');
    expect(document).toContain('Минская конвенция');
    expect(document).toContain(facts);
    expect(document).toContain(assistance);

    expect(leakedWords(secrets, everythingMatrixSaw(fixture.homeserver))).toEqual([]);
  });

  it('!cancel midway leaves no flow behind', async () => {
    const { user, dm } = await fixture.linkedMember('canceller', 'Nurlan Cancelov', 'KZ');
    const seen = fixture.botMessages(user, dm).length;
    await user.client.sendTextMessage(dm, '!draft');
    await fixture.nextFromBot(user, dm, seen);
    await user.client.sendTextMessage(dm, 'Kyrgyzstan');
    await fixture.nextFromBot(user, dm, seen + 1);
    const rows = async () =>
      (await fixture.testApp.database.handle.db.execute(
        sql`select f.flow from conversation_flows f join members m on m.id = f.member_id where m.name = 'Nurlan Cancelov'`,
      )) as { flow: string }[];
    expect(await rows()).toEqual([{ flow: 'draft' }]);
    await user.client.sendTextMessage(dm, '!cancel');
    const cancelled = await fixture.nextFromBot(user, dm, seen + 2);
    expect(body(cancelled)).toContain('Cancelled. Nothing of the draft was kept.');
    expect(await rows()).toEqual([]);
  });

  it('kept the draft in no table (delivered replies keep no payload) and no log line', async () => {
    const words = secrets.flatMap((secret) =>
      secret.split(' ').filter((word) => /[A-Z0-9]/.test(word[0] ?? '')),
    );
    expect(await findLeaks(fixture.testApp, words, [])).toEqual([]);
    const payloads = (await fixture.testApp.database.handle.db.execute(
      sql`select count(*)::int as kept from bot_reply_outbox where sent_at is not null and payload <> ''`,
    )) as { kept: number }[];
    expect(payloads[0]?.kept).toBe(0);
  });
});
