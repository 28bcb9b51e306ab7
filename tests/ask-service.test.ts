// The answer a member gets, as every messenger shows it: text and buttons in their language.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/audit/audit-service.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import { createAskService } from '../src/ask/index.ts';
import { createTranslator } from '../src/i18n/i18n.ts';
import type { RegistrySnapshot } from '../src/registry/registry-types.ts';
import { demoPracticalReader, demoSnapshot } from './support/registry-snapshot.ts';
import type { Principal } from '../src/access/index.ts';
import { buildMessageLimits } from './support/message-limits.ts';

const translator = createTranslator();
const saturday = new Date('2026-11-28T10:00:00Z');

const kazakhProsecutor: Principal = {
  memberId: 'm-kz',
  name: 'Asel',
  role: 'member',
  country: 'KZ',
  contactId: null,
  locale: null,
};
const secretariat: Principal = {
  memberId: 'm-admin',
  name: 'Admin',
  role: 'admin',
  country: 'ZZ',
  contactId: null,
  locale: null,
};

/** A registry that can change under the service, like the real one after an edit. */
function changingRegistry(initial: RegistrySnapshot) {
  let current = initial;
  const listeners = new Set<(snapshot: RegistrySnapshot) => void>();
  return {
    snapshot: () => current,
    onChange(listener: (snapshot: RegistrySnapshot) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replace(next: RegistrySnapshot) {
      current = next;
      for (const listener of listeners) listener(next);
    },
  };
}

function setUp() {
  const registry = changingRegistry(demoSnapshot());
  const audited: AuditEntry[] = [];
  const service = createAskService({
    limits: buildMessageLimits,
    workingTime: createWorkingTime({ holidays: createHolidayCalendar() }),
    registry,
    translator,
    audit: { enqueue: (entry) => audited.push(entry) },
    practical: demoPracticalReader(saturday),
    clock: { now: () => saturday },
  });
  return { registry, audited, service };
}

describe('asking who handles what', () => {
  it('a Kazakh member asks in Russian about extradition in Kyrgyzstan and gets the extradition unit first, the deputy of the contact on leave, and the treaties', async () => {
    const { service } = setUp();
    const answer = await service.ask({
      principal: kazakhProsecutor,
      text: 'кто занимается экстрадицией в Киргизии',
    });
    expect(answer.interpretation).toEqual({
      intent: 'find_contact',
      countries: ['KG'],
      competence: 'extradition',
      asks: 'contacts',
    });
    expect(answer.locale).toBe('ru');
    expect(answer.results[0]?.contacts.map((contact) => contact.id)).toEqual(['kg-001', 'kg-002']);
    expect(answer.results[0]?.legalBases.map((basis) => basis.id).sort()).toEqual([
      'chisinau-2002',
      'minsk-1993',
      'uncac',
      'untoc',
    ]);
    const text = answer.reply.text;
    expect(text).toContain('Бакыт Демо-Токтогулов');
    expect(text).toContain('Отсутствует до');
    expect(text).toContain('замещает: Бакыт Демо-Токтогулов');
    expect(text).toContain('Минская конвенция');
    expect(text).not.toContain('kg-004');
    expect(text.indexOf('Бакыт')).toBeLessThan(text.indexOf('Айгуль'));
    // Titles and the leave note are the registry's Russian ones: no English inside a Russian answer.
    expect(text).toContain(
      'Бакыт Демо-Токтогулов — Начальник отдела экстрадиции, Управление международно-правового сотрудничества',
    );
    expect(text).toContain('Откомандирован(а) в региональную антикоррупционную программу');
    // Only addresses (handles, e-mail) and treaty acronyms are Latin.
    const prose = text.split('\n').filter((line) => !line.includes('@'));
    for (const line of prose) expect(line.replaceAll(/UNTOC|UNCAC|CASC/g, '')).not.toMatch(/[A-Za-z]{4,}/);
    expect(answer.reply.buttons.map((button) => button.action)).toEqual([
      'consult:start:KG:extradition',
      'ask:req:KG:extradition',
    ]);
    expect(answer.reply.buttons[0]?.label).toBe('Запросить консультацию');
  });

  it('answers in English with local time, verification date and the stale flag', async () => {
    const { service } = setUp();
    const answer = await service.ask({
      principal: kazakhProsecutor,
      text: 'electronic evidence contact in Kazakhstan',
    });
    expect(answer.locale).toBe('en');
    expect(answer.reply.text).toContain('Daniyar Demo-Omarov');
    expect(answer.reply.text).toContain('possibly out of date');
    expect(answer.reply.text).toMatch(/Local time \d\d:\d\d \(outside working hours\)/);
  });

  it('names both central authorities with their stages where the competence is split', async () => {
    const { service } = setUp();
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'extradition Armenia' });
    expect(answer.results[0]?.centralAuthorities.map((authority) => authority.id)).toEqual([
      'am-gpo',
      'am-moj',
    ]);
    expect(answer.reply.text).toContain('Central authority (pre-trial): Prosecutor General');
    expect(answer.reply.text).toContain('Central authority (trial and enforcement): Ministry of Justice');
    expect(answer.reply.text).toContain('Requests in: Armenian, English, and French');
  });

  it('asks which country when none was named, with buttons for likely ones', async () => {
    const { service } = setUp();
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'who handles extradition?' });
    expect(answer.results).toEqual([]);
    expect(answer.reply.text).toContain('Which country');
    const actions = answer.reply.buttons.map((button) => button.action);
    expect(actions).toContain('ask:pick:KG:extradition');
    expect(actions).not.toContain('ask:pick:KZ:extradition');
    // Treaty partners of Kazakhstan for extradition (Minsk, Chisinau) come before the others.
    expect(actions.indexOf('ask:pick:KG:extradition')).toBeLessThan(
      actions.indexOf('ask:pick:TJ:extradition'),
    );
    expect(actions.slice(0, 2).sort()).toEqual(['ask:pick:KG:extradition', 'ask:pick:UZ:extradition']);
    const picked = await service.handleAction(kazakhProsecutor, 'ask:pick:KG:extradition', 'en');
    expect(picked?.text).toContain('Bakyt Demo-Toktogulov');
  });

  it('groups contacts by competence when none was named', async () => {
    const { service } = setUp();
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'contacts in Georgia' });
    expect(answer.results[0]?.contacts.map((contact) => contact.id)).toEqual(['ge-001', 'ge-002']);
    expect(answer.reply.text).toContain('Extradition:');
    expect(answer.reply.text).toContain('Electronic evidence and data preservation (24/7):');
    expect(answer.reply.buttons.map((button) => button.action)).toContain('ask:pick:GE:digital_evidence');
    // Each person's details appear once, however many competences list them.
    expect(answer.reply.text.split('demo-beridze@ge-pog.example.org')).toHaveLength(2);
  });

  it('says plainly when a country is not in the registry', async () => {
    const { service } = setUp();
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'extradition to France' });
    expect(answer.results).toEqual([
      expect.objectContaining({ country: 'FR', inRegistry: false, contacts: [] }),
    ]);
    expect(answer.reply.text).toContain('France is not covered');
  });

  it('answers greetings with a short help', async () => {
    const { service } = setUp();
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'привет' });
    expect(answer.interpretation.intent).toBe('other');
    expect(answer.reply.text).toContain('ВПП Ташкент');
  });

  it('keeps every button action short ASCII, even with several countries', async () => {
    const { service } = setUp();
    const answer = await service.ask({
      principal: kazakhProsecutor,
      text: 'transfer of sentenced persons in Kyrgyzstan, Tajikistan, Uzbekistan',
    });
    expect(answer.interpretation.countries).toEqual(['KG', 'TJ', 'UZ']);
    expect(answer.reply.buttons.length).toBeGreaterThanOrEqual(6);
    for (const button of answer.reply.buttons)
      expect(Buffer.byteLength(button.action)).toBeLessThanOrEqual(60);
  });

  it('keeps an answer about many countries within one messenger message', async () => {
    const { service } = setUp();
    for (const text of [
      'contacts in Georgia, Armenia, Azerbaijan, Kyrgyzstan, Tajikistan',
      'ВПП Грузия, Армения, Азербайджан, Кыргызстан, Таджикистан',
    ]) {
      const answer = await service.ask({ principal: kazakhProsecutor, text });
      expect(answer.interpretation.countries).toHaveLength(5);
      expect(answer.reply.text.length).toBeLessThanOrEqual(4096);
    }
    const summary = await service.ask({
      principal: kazakhProsecutor,
      text: 'contacts in Georgia and Armenia',
    });
    expect(summary.reply.text).toContain('Extradition (2)');
    expect(summary.reply.buttons.map((button) => button.action)).toEqual(['ask:pick:GE:-', 'ask:pick:AM:-']);
  });

  it('shows the requirement sheet behind the button, short first and everything behind "Show all"', async () => {
    const { service, audited } = setUp();
    const requirements = await service.handleAction(kazakhProsecutor, 'ask:req:UZ:mla', 'en');
    const text = requirements?.text ?? '';
    expect(text).toContain('Requirements for Mutual legal assistance requests to Uzbekistan');
    expect(text).toContain("Central authority: General Prosecutor's Office of the Republic of Uzbekistan");
    expect(text).toContain('Languages: Uzbek or Russian; a translation must be certified');
    expect(text).toContain('Accepted: post, diplomatic channels, and advance copy by e-mail');
    // Both ways: the treaties Kazakhstan and Uzbekistan are both party to.
    expect(text).toContain('Legal bases between Kazakhstan and Uzbekistan: ');
    expect(text).toContain('Minsk Convention');
    expect(text).toContain('A request must contain 5 elements, and 4 more where they apply');
    expect(text).toContain('demo data, not an official sheet');
    expect(text).toContain('Tip: Consult informally before you send');
    // The short sheet names no element and no reason for return: those are behind "Show all".
    expect(text).not.toContain('Summary of facts');
    expect(text).not.toContain('Why requests come back');
    expect(requirements?.buttons?.map((button) => button.action)).toEqual([
      'ask:all:UZ:mla',
      'draft:start:UZ:mla',
      'ask:tip:mla-consult-before-sending',
      'consult:start:UZ:mla',
      'ask:pick:UZ:mla',
    ]);

    const all = await service.handleAction(kazakhProsecutor, 'ask:all:UZ:mla', 'en');
    const full = all?.text ?? '';
    expect(full).toContain('What the request must contain:');
    expect(full).toContain('1. Summary of facts — Who did what, when and where; amounts and dates.');
    expect(full).toContain('Where they apply:');
    expect(full).toContain('Documents to enclose:');
    expect(full).toContain('Why requests come back:');
    expect(full).toContain('• No certified translation into an accepted language.');
    expect(all?.buttons?.map((button) => button.action)).not.toContain('ask:all:UZ:mla');
    expect(all?.buttons?.map((button) => button.action)).toContain('draft:start:UZ:mla');
    expect(audited.map((entry) => entry.details)).toEqual([
      { country: 'UZ', competence: 'mla', askerCountry: 'KZ', detail: 'short' },
      { country: 'UZ', competence: 'mla', askerCountry: 'KZ', detail: 'full' },
    ]);

    // Retention and the urgent route where the sheet has them; a stale sheet says so.
    const evidence = await service.handleAction(kazakhProsecutor, 'ask:all:KZ:digital_evidence', 'en');
    expect(evidence?.text).toContain('Urgent: Not a party to the Budapest Convention');
    expect(evidence?.text).toContain('Retention: Providers keep traffic data');
    const turkmen = await service.handleAction(kazakhProsecutor, 'ask:req:TM:mla', 'en');
    expect(turkmen?.text).toContain('possibly out of date');
    // Where a country splits the competence, each authority with its stages.
    const armenian = await service.handleAction(kazakhProsecutor, 'ask:req:AM:extradition', 'ru');
    expect(armenian?.text).toContain('Центральный орган (досудебная стадия): Генеральная прокуратура');

    expect(await service.handleAction(kazakhProsecutor, 'ask:req:XX:nonsense', 'en')).toMatchObject({
      text: expect.stringContaining('out of date'),
    });
    expect(await service.handleAction(kazakhProsecutor, 'consult:start:KZ:mla', 'en')).toBeUndefined();
  });

  it('falls back to what the registry knows for a country without a sheet', async () => {
    const { service } = setUp();
    const dutch = await service.handleAction(kazakhProsecutor, 'ask:req:NL:mla', 'en');
    expect(dutch?.text).toContain('Requests in: Dutch and English');
    expect(dutch?.text).toContain('Accepted: post and diplomatic channels');
    expect(dutch?.text).toContain('Legal bases: ');
    expect(dutch?.buttons?.map((button) => button.action)).toEqual(['consult:start:NL:mla']);
  });

  it('answers "what do I need to send" with the sheet, the same as the button, in the question\'s language', async () => {
    const { service } = setUp();
    const english = await service.ask({
      principal: kazakhProsecutor,
      text: 'what do I need to send an extradition request to Kyrgyzstan',
    });
    expect(english.interpretation).toEqual({
      intent: 'find_contact',
      countries: ['KG'],
      competence: 'extradition',
      asks: 'requirements',
    });
    // The same content as the "Show requirements" button under a contacts answer.
    const behindButton = await service.handleAction(kazakhProsecutor, 'ask:req:KG:extradition', 'en');
    expect(english.reply.text).toBe(behindButton?.text);
    expect(english.reply.buttons).toEqual(behindButton?.buttons);
    expect(english.reply.text).toContain('Languages: Kyrgyz or Russian; a translation must be certified');
    expect(english.reply.text).toContain('Urgent: Provisional arrest can be asked through INTERPOL');
    expect(english.reply.buttons.map((button) => button.label)).toEqual([
      'Show all',
      'Start a draft',
      'Tip: Provisional arrest, then the full request in time',
      'Ask for a consultation',
      'Show contacts',
    ]);
    // The data is the same as for a contacts question.
    expect(english.results[0]?.contacts.map((contact) => contact.id)).toContain('kg-001');

    const russian = await service.ask({
      principal: kazakhProsecutor,
      text: 'какие документы нужны для запроса о выдаче в Кыргызстан',
    });
    expect(russian.interpretation).toMatchObject({ countries: ['KG'], asks: 'requirements' });
    expect(russian.locale).toBe('ru');
    expect(russian.reply.text).toContain('Требования к запросам');
    expect(russian.reply.text).toContain('Языки: киргизский или русский; перевод должен быть заверен');
    expect(russian.reply.text).toMatch(/Запрос должен содержать 7 элементов и ещё 1 — если применимо/);
    expect(russian.reply.buttons.map((button) => button.label)).toEqual([
      'Показать всё',
      'Составить черновик',
      'Совет: Временный арест, затем полный запрос в срок',
      'Запросить консультацию',
      'Показать контакты',
    ]);
  });

  it('answers requirement questions about several countries, and offers countries to choose when none was named', async () => {
    const { service } = setUp();
    const two = await service.ask({
      principal: kazakhProsecutor,
      text: 'requirements for MLA requests to Georgia and the Netherlands',
    });
    expect(two.interpretation).toMatchObject({
      countries: ['GE', 'NL'],
      competence: 'mla',
      asks: 'requirements',
    });
    // Georgia has a sheet; the Netherlands gets what the registry knows.
    expect(two.reply.text).toContain('Languages: Georgian or English');
    expect(two.reply.text).toContain('Requests in: Dutch and English');
    expect(two.reply.buttons.map((button) => button.action)).toEqual([
      'ask:all:GE:mla',
      'draft:start:GE:mla',
      'ask:tip:mla-consult-before-sending',
      'consult:start:NL:mla',
      'ask:pick:NL:mla',
    ]);
    expect(two.reply.buttons[0]?.label).toBe('All: Georgia');
    const none = await service.ask({ principal: kazakhProsecutor, text: 'requirements for an MLA request?' });
    expect(none.interpretation).toMatchObject({ countries: [], asks: 'requirements' });
    expect(none.reply.buttons.length).toBeGreaterThan(0);
    expect(none.reply.buttons.every((button) => button.action.startsWith('ask:req:'))).toBe(true);
  });

  it('answers "tips on electronic evidence" with the tips on the topic, each a button that opens it', async () => {
    const { service } = setUp();
    const tips = await service.ask({ principal: kazakhProsecutor, text: 'tips on electronic evidence' });
    expect(tips.interpretation).toMatchObject({ competence: 'digital_evidence', asks: 'tips' });
    expect(tips.reply.text).toContain("The network's tips on Electronic evidence");
    expect(tips.reply.text).toContain('1. Preserve first, then ask for the data');
    expect(tips.reply.buttons.map((button) => button.action)).toEqual([
      'ask:tip:e-evidence-preserve-first',
      'ask:tip:e-evidence-data-categories',
      'ask:tip:e-evidence-direct-requests',
      'ask:tip:mla-consult-before-sending',
    ]);
    const opened = await service.handleAction(kazakhProsecutor, 'ask:tip:e-evidence-preserve-first', 'en');
    expect(opened?.text).toMatch(/^Preserve first, then ask for the data\n/);
    expect(opened?.text).toContain('Sources:\n• Council of Europe Convention on Cybercrime');
    expect(opened?.text).toContain('not legal advice');
    expect(opened?.buttons?.map((button) => button.action)).toEqual(['ask:tips:digital_evidence']);

    const russian = await service.ask({
      principal: kazakhProsecutor,
      text: 'советы по электронным доказательствам',
    });
    expect(russian.locale).toBe('ru');
    expect(russian.reply.text).toContain('Советы сети по теме «Электронные доказательства');
    expect(russian.reply.buttons[0]).toEqual({
      label: 'Сначала сохранение, затем запрос данных',
      action: 'ask:tip:e-evidence-preserve-first',
    });
    // No topic named: the topics there are; a country named: its requirements are a tap away.
    const topics = await service.ask({ principal: kazakhProsecutor, text: 'советы' });
    expect(topics.reply.buttons.map((button) => button.action)).toContain('ask:tips:extradition');
    const toKazakhstan = await service.ask({
      principal: kazakhProsecutor,
      text: 'tips for MLA requests to Kazakhstan',
    });
    expect(toKazakhstan.reply.buttons.map((button) => button.action)).toEqual([
      'ask:tip:mla-consult-before-sending',
      'ask:req:KZ:mla',
    ]);
    expect(await service.handleAction(kazakhProsecutor, 'ask:tip:no-such-tip', 'en')).toMatchObject({
      text: expect.stringContaining('out of date'),
    });
  });

  it('audits who looked up what, never the text of the question', async () => {
    const { service, audited } = setUp();
    await service.ask({ principal: kazakhProsecutor, text: 'extradition Kyrgyzstan, case of Mr Secret' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actor: 'member:m-kz',
      action: 'registry.ask',
      details: { countries: ['KG'], competence: 'extradition', asks: 'contacts' },
    });
    expect(JSON.stringify(audited)).not.toContain('Secret');
  });

  it('lets only admins ask on behalf of another country', async () => {
    const { service } = setUp();
    const onBehalf = await service.ask({
      principal: secretariat,
      text: 'extradition Kyrgyzstan',
      askerCountry: 'KZ',
    });
    expect(onBehalf.results[0]?.legalBases.map((basis) => basis.id)).toContain('minsk-1993');
    const noAsker = await service.ask({ principal: secretariat, text: 'extradition Germany' });
    expect(noAsker.results[0]?.legalBases.map((basis) => basis.id).sort()).toEqual([
      'budapest-2001',
      'coe-extradition-1957',
      'uncac',
      'untoc',
    ]);
    await expect(
      service.ask({ principal: kazakhProsecutor, text: 'extradition Kyrgyzstan', askerCountry: 'GE' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('follows registry changes: a contact who retires disappears from the next answer', async () => {
    const { service, registry } = setUp();
    const before = demoSnapshot();
    const contacts = before.contacts.map((contact) =>
      contact.id === 'kg-001' ? { ...contact, status: 'retired' as const } : contact,
    );
    registry.replace({
      ...before,
      version: 2,
      contacts,
      contactById: new Map(contacts.map((contact) => [contact.id, contact])),
    });
    const answer = await service.ask({ principal: kazakhProsecutor, text: 'extradition Kyrgyzstan' });
    expect(answer.results[0]?.contacts.map((contact) => contact.id)).toEqual(['kg-002']);
    expect(answer.results[0]?.contacts[0]?.deputy).toBeNull();
  });
});
