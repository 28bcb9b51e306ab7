// Answers are composed once per interpretation and minute; every question is still read, and
// every answer still audited. What an answer shows must follow the clock and the registry.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/audit/audit-service.ts';
import { createAnswerCache } from '../src/ask/answer-cache.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import { createAskService } from '../src/ask/index.ts';
import { tokenize, tokenOf } from '../src/ask/word-keys.ts';
import { createTranslator } from '../src/i18n/i18n.ts';
import { demoPracticalReader, demoSnapshot } from './support/registry-snapshot.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import type { Principal } from '../src/access/index.ts';
import { buildMessageLimits } from './support/message-limits.ts';

const member: Principal = {
  memberId: 'm-kz',
  name: 'Asel',
  role: 'member',
  country: 'KZ',
  contactId: null,
  locale: null,
};

function setUp() {
  const clock = createTestClock(demoDay);
  let snapshot = demoSnapshot();
  const audited: AuditEntry[] = [];
  const service = createAskService({
    limits: buildMessageLimits,
    workingTime: createWorkingTime({ holidays: createHolidayCalendar() }),
    registry: { snapshot: () => snapshot },
    translator: createTranslator(),
    audit: { enqueue: (entry) => audited.push(entry) },
    practical: demoPracticalReader(new Date(demoDay)),
    clock,
  });
  return { clock, audited, service, replace: () => (snapshot = demoSnapshot()) };
}

describe('composed answers are remembered for the minute', () => {
  it('two wordings of one question get the same answer, and both are audited', async () => {
    const { service, audited } = setUp();
    const first = await service.ask({ principal: member, text: 'who handles extradition in Kyrgyzstan' });
    const second = await service.ask({ principal: member, text: 'extradition KG please (case 12)' });
    expect(second.interpretation).toEqual(first.interpretation);
    expect(second.reply.text).toBe(first.reply.text);
    expect(audited.filter((entry) => entry.action === 'registry.ask')).toHaveLength(2);
  });

  it('local times move on when the minute does', async () => {
    const { service, clock } = setUp();
    const before = await service.ask({ principal: member, text: 'extradition Kyrgyzstan' });
    clock.advance(61 * 60_000);
    const after = await service.ask({ principal: member, text: 'extradition Kyrgyzstan' });
    const localTime = (answer: typeof before) => answer.results[0]?.contacts[0]?.localTime;
    expect(localTime(after)).not.toBe(localTime(before));
  });

  it('a registry change is seen at once', async () => {
    const { service, replace } = setUp();
    const before = await service.ask({ principal: member, text: 'extradition Kyrgyzstan' });
    replace();
    const after = await service.ask({ principal: member, text: 'extradition Kyrgyzstan' });
    expect(after.results).not.toBe(before.results);
    expect(after.results).toEqual(before.results);
  });

  it('what a viewer may see is part of the key: an admin sees restricted channels a member does not', async () => {
    const { service } = setUp();
    const admin: Principal = { ...member, memberId: 'm-admin', role: 'admin' };
    const asMember = await service.ask({ principal: member, text: 'extradition Kyrgyzstan' });
    const asAdmin = await service.ask({ principal: admin, text: 'extradition Kyrgyzstan' });
    expect(asAdmin.results).not.toBe(asMember.results);
  });

  it('the cache never holds more than its bound', () => {
    const cache = createAnswerCache<number>({ maxEntries: 3 });
    const snapshot = demoSnapshot();
    const now = new Date(demoDay);
    for (let i = 0; i < 10; i++) cache.get(snapshot, now, `k${String(i)}`, () => i);
    expect(cache.size).toBe(3);
    expect(cache.get(snapshot, now, 'k9', () => -1)).toBe(9);
    expect(cache.get(snapshot, now, 'k0', () => -1)).toBe(-1);
  });
});

describe('numbers are read without the word machinery', () => {
  it('give the same token as any other word would', () => {
    for (const number of ['0', '7', '24', '100', '1000123', '99999999999999999999', '1122334455']) {
      expect(tokenize(number)).toEqual([tokenOf(number)]);
    }
  });
});
