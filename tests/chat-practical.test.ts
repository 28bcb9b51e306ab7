// A member asks what a request needs and for the network's tips, in English and in Russian, in a
// chat: the requirement sheet short first, everything behind "Show all", a draft a tap away, and
// the tips on the topic. Driven through the application's conversation engine (real Postgres and
// Redis), the way every messenger reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../src/chat/index.ts';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('chat_practical', { clock: createTestClock(demoDay) });
});
afterAll(async () => {
  await testApp.close();
});

let accounts = 0;

async function kazakhMember(name: string) {
  accounts += 1;
  const base: Omit<InboundMessage, 'text'> = {
    platform: 'matrix',
    platformUserId: `@practical${accounts}:test.example`,
    chatId: `!practical${accounts}:test.example`,
    chatType: 'private',
  };
  const engine = testApp.application.engine;
  const member = await createMember(testApp, { name, country: 'KZ', role: 'member' });
  const invite = await createInvite(testApp, member.id);
  await engine.handle({ ...base, text: `!link ${invite.code}` });
  return {
    send: async (text: string): Promise<OutboundMessage> => {
      const [reply] = await engine.handle({ ...base, text });
      return reply ?? { text: '' };
    },
    press: async (action: string): Promise<OutboundMessage> => {
      const [reply] = await engine.handle({ ...base, buttonAction: action });
      return reply ?? { text: '' };
    },
  };
}

const actions = (message: OutboundMessage) => (message.buttons ?? []).map((button) => button.action);

describe('requirements and tips in a chat', () => {
  it('a member asks what an MLA request to Uzbekistan needs and gets the sheet, short first, then all of it', async () => {
    const chat = await kazakhMember('Aigerim Requirements');
    const answer = await chat.send('what do I need to send an MLA request to Uzbekistan');
    expect(answer.text).toContain('Requirements for Mutual legal assistance requests to Uzbekistan');
    expect(answer.text).toContain('Languages: Uzbek or Russian; a translation must be certified');
    expect(answer.text).toContain('Legal bases between Kazakhstan and Uzbekistan');
    expect(answer.text).toContain('A request must contain 5 elements');
    expect(answer.text).not.toContain('Summary of facts');
    expect(actions(answer)).toEqual([
      'ask:all:UZ:mla',
      'draft:start:UZ:mla',
      'ask:tip:mla-consult-before-sending',
      'consult:start:UZ:mla',
      'ask:pick:UZ:mla',
    ]);

    const all = await chat.press('ask:all:UZ:mla');
    expect(all.text).toContain('1. Summary of facts — Who did what, when and where; amounts and dates.');
    expect(all.text).toContain('Why requests come back:');
    expect(all.locale).toBe('en');

    const tip = await chat.press('ask:tip:mla-consult-before-sending');
    expect(tip.text).toMatch(/^Consult informally before you send\n/);
    expect(tip.text).toContain('Sources:');
  });

  it('"Show requirements" under a contacts answer shows the same sheet', async () => {
    const chat = await kazakhMember('Daniyar Contacts');
    const contacts = await chat.send('who handles extradition in Kyrgyzstan');
    expect(actions(contacts)).toContain('ask:req:KG:extradition');
    const behindButton = await chat.press('ask:req:KG:extradition');
    const asked = await chat.send('what do I need to send an extradition request to Kyrgyzstan');
    expect(behindButton.text).toBe(asked.text);
    expect(behindButton.buttons).toEqual(asked.buttons);
    expect(behindButton.text).toContain('Urgent: Provisional arrest can be asked through INTERPOL');
  });

  it('a member asks in Russian and gets the sheet and the tips in Russian', async () => {
    const chat = await kazakhMember('Гульнара Требования');
    const answer = await chat.send('какие документы нужны для запроса о выдаче в Армению');
    expect(answer.locale).toBe('ru');
    expect(answer.text).toContain('Требования к запросам (Экстрадиция (выдача)) в страну «Армения»');
    expect(answer.text).toContain('Центральный орган (досудебная стадия): Генеральная прокуратура');
    expect(answer.text).toContain(
      'Языки: армянский, английский или французский; перевод должен быть заверен',
    );
    expect(answer.buttons?.map((button) => button.label)).toEqual([
      'Показать всё',
      'Составить черновик',
      'Совет: Временный арест, затем полный запрос в срок',
      'Запросить консультацию',
      'Показать контакты',
    ]);
    // A button carries no text: the answer keeps the conversation's language.
    const all = await chat.press('ask:all:AM:extradition');
    expect(all.text).toContain('Что должен содержать запрос:');
    expect(all.text).toContain('Прилагаемые документы:');

    const tips = await chat.send('советы по электронным доказательствам');
    expect(tips.text).toContain('Советы сети по теме «Электронные доказательства');
    expect(tips.text).toContain('1. Сначала сохранение, затем запрос данных');
    const opened = await chat.press(actions(tips)[0] ?? '');
    expect(opened.text).toMatch(/^Сначала сохранение, затем запрос данных\n/);
    expect(opened.text).toContain('Источники:');
  });

  it('answers "tips on electronic evidence" in English with a button per tip', async () => {
    const chat = await kazakhMember('Tips Reader');
    const tips = await chat.send('tips on electronic evidence');
    expect(tips.text).toContain("The network's tips on Electronic evidence");
    expect(actions(tips)).toContain('ask:tip:e-evidence-preserve-first');
    const topics = await chat.send('any tips?');
    expect(actions(topics)).toContain('ask:tips:asset_recovery');
    const assetTips = await chat.press('ask:tips:asset_recovery');
    expect(assetTips.text).toContain('Freeze before you confiscate');
  });
});
