// Conversation flows on Matrix (the test homeserver, a real matrix-js-sdk member in an encrypted
// DM): options arrive as numbered choices, `!cancel` and `!отмена` stop a flow mid-way and leave
// nothing behind, and a sensitive consultation can be started here (the room is encrypted).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startMatrixBotFixture, type MatrixBotFixture } from './support/matrix-bot-fixture.ts';
import type { TestMatrixUser } from './support/matrix-test-client.ts';

let fixture: MatrixBotFixture;
let user: TestMatrixUser;
let dm: string;
let memberId: string;

beforeAll(async () => {
  fixture = await startMatrixBotFixture('flows_matrix');
  ({ user, dm } = await fixture.linkedMember('dilnoza', 'Dilnoza Matrix', 'KZ'));
  const [row] = [
    ...((await fixture.testApp.database.handle.db.execute(
      sql`select member_id from identities where platform_user_id = ${user.userId}`,
    )) as Iterable<{ member_id: string }>),
  ];
  memberId = row!.member_id;
}, 180_000);

afterAll(async () => {
  await fixture.close();
});

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const rows = [...((await fixture.testApp.database.handle.db.execute(query)) as Iterable<{ n: number }>)];
  return rows[0]?.n ?? 0;
}
const traces = async () => ({
  flows: await count(sql`select count(*)::int as n from conversation_flows where member_id = ${memberId}`),
  consultations: await count(
    sql`select count(*)::int as n from consultations where asker_member_id = ${memberId}`,
  ),
  requests: await count(
    sql`select count(*)::int as n from formal_requests where requester_member_id = ${memberId}`,
  ),
  pushes: await count(sql`select count(*)::int as n from outbox`),
});

/** Says something in the DM and waits for the bot's next message. */
async function converse(text: string): Promise<string> {
  const seen = fixture.botMessages(user, dm).length;
  await user.client.sendTextMessage(dm, text);
  return body(await fixture.nextFromBot(user, dm, seen));
}

describe('flows on Matrix', () => {
  it('a sensitive consultation is begun in the encrypted room and !cancel stops it at the description', async () => {
    const sensitivity = await converse('!consult KG extradition');
    expect(sensitivity).toContain('Is this consultation sensitive?');
    expect(sensitivity).toMatch(/1\. Not sensitive\n2\. Sensitive \(Matrix only\)\n3\. Cancel/);
    const description = await converse('2');
    expect(description).toContain('Describe your question');
    expect(description).toContain('(!back for the previous question, !cancel to stop.)');
    expect(await traces()).toMatchObject({ flows: 1 });

    expect(await converse('!cancel')).toBe('Consultation not started. Nothing was sent.');
    expect(await traces()).toEqual({ flows: 0, consultations: 0, requests: 0, pushes: 0 });
  });

  it('!отмена stops a request being registered', async () => {
    const type = await converse('!новыйзапрос');
    expect(type).toContain('Какого вида запрос?');
    const country = await converse('1');
    expect(country).toContain('В какую страну направлен запрос?');
    expect(await converse('!назад')).toContain('Какого вида запрос?');
    expect(await converse('!отмена')).toBe('Регистрация отменена.');
    expect(await traces()).toEqual({ flows: 0, consultations: 0, requests: 0, pushes: 0 });
  });
});
