// Numbered choices on Matrix refer to the latest message that offered them. A push records its
// choices only once its send returns, a reply records them before it is sent: a push that was on
// its way while the person answered a flow step must not replace the step's choices when it
// returns (found by the two-messenger campaign: "1" for "Phone" was read as "All correct").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotStateRepository } from '../bots/matrix/state/matrix-state-repository.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
let repository: ReturnType<typeof createBotStateRepository>;
const room = '!room:test.local';

beforeAll(async () => {
  database = await createTestDatabase('matrix_choices_order');
  repository = createBotStateRepository({
    db: database.handle.db,
    platform: 'matrix',
    account: '@bot:test.local',
  });
});

afterAll(async () => {
  await database.drop();
});

describe('numbered choices of a room', () => {
  it('a push whose send began before a reply recorded its choices leaves the reply`s choices', async () => {
    const pushBegan = new Date();
    // The person answers a flow step while the push is on its way: the reply's choices are recorded.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const recorded = await repository.recordHandled({
      eventId: '$answer-1',
      replies: [{ chatId: room, idempotencyKey: 'reply-step', payload: 'x' }],
      choices: { chatId: room, offeredBy: 'reply-step', actions: ['chg:phone', 'chg:email'] },
    });
    expect(recorded).toBe(true);
    // The push's send returns afterwards.
    await repository.rememberChoices(
      { chatId: room, offeredBy: 'push-reminder', actions: ['vfy:ok', 'vfy:chg'] },
      '$push-event',
      pushBegan,
    );
    expect(await repository.choicesFor(room)).toEqual({
      actions: ['chg:phone', 'chg:email'],
      offeredBy: 'reply-step',
      messageId: null,
    });
  });

  it('a push whose send began after the reply`s choices replaces them (numbers refer to the latest message)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await repository.rememberChoices(
      { chatId: room, offeredBy: 'push-later', actions: ['vfy:ok', 'vfy:away'] },
      '$push-later',
      new Date(),
    );
    expect(await repository.choicesFor(room)).toEqual({
      actions: ['vfy:ok', 'vfy:away'],
      offeredBy: 'push-later',
      messageId: '$push-later',
    });
  });

  it('a push into a room with no choices yet records its own', async () => {
    await repository.rememberChoices(
      { chatId: '!other:test.local', offeredBy: 'push-first', actions: ['a'] },
      '$first',
      new Date(),
    );
    expect((await repository.choicesFor('!other:test.local'))?.offeredBy).toBe('push-first');
  });
});
