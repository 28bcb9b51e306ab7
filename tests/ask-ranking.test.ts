// Who comes first in an answer, and which treaties and authorities go with it. The clock is
// fixed on Saturday 28 November 2026, while kg-002 is on leave.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { centralAuthorities, legalBases, rankContacts as rankWith } from '../src/ask/index.ts';
import { addDays } from '../src/schedule/holiday-calendar.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import { demoRegistryFile, demoSnapshot, snapshotFromRegistryFile } from './support/registry-snapshot.ts';

const snapshot = demoSnapshot();
const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
const amCalendar = (id: string | undefined) => {
  const contact = snapshot.contactById.get(id ?? '')!;
  return { timezone: 'Asia/Yerevan', country: 'AM', workingHours: contact.workingHours };
};
const rankContacts = (registry: typeof snapshot, query: Parameters<typeof rankWith>[1]) =>
  rankWith(registry, query, workingTime);
// kg-002's absence in the demo registry, from 2026-11-20 until an end date years ahead.
const leave = snapshot.contactById.get('kg-002')!.outOfOffice!;
const saturday = new Date('2026-11-28T10:00:00Z');
const ids = (contacts: readonly { id: string }[]) => contacts.map((contact) => contact.id);

describe('ranking contacts', () => {
  it('puts the contact in the office first and shows the one on leave with return date and deputy', () => {
    const ranked = rankContacts(snapshot, {
      country: 'KG',
      competence: 'extradition',
      now: saturday,
      askerLanguages: ['ru'],
    });
    expect(ids(ranked)).toEqual(['kg-001', 'kg-002']);
    const [first, onLeave] = ranked;
    expect(first).toMatchObject({ available: true, outOfOffice: null });
    expect(onLeave).toMatchObject({
      available: false,
      outOfOffice: {
        start: '2026-11-20',
        end: leave.end,
        note: 'Seconded to the regional anti-corruption programme',
        noteLanguage: 'en',
      },
      deputy: { id: 'kg-001', available: true },
    });
  });

  it('lists the same contact as available once the leave is over', () => {
    const ranked = rankContacts(snapshot, {
      country: 'KG',
      competence: 'extradition',
      // 12:00 in Bishkek the day after the leave's last day.
      now: new Date(`${addDays(leave.end, 1)}T06:00:00Z`),
    });
    expect(ranked.find((contact) => contact.id === 'kg-002')).toMatchObject({
      available: true,
      outOfOffice: null,
    });
  });

  it('never lists retired or suspended contacts', () => {
    const everyone = rankContacts(snapshot, { country: 'KG', competence: null, now: saturday });
    expect(ids(everyone)).not.toContain('kg-004');
    expect(ids(everyone).sort()).toEqual(['kg-001', 'kg-002', 'kg-003']);
  });

  it('prefers contacts who share a language with the asker', () => {
    const english = rankContacts(snapshot, {
      country: 'TM',
      competence: 'mla',
      now: saturday,
      askerLanguages: ['en'],
    });
    expect(ids(english)).toEqual(['tm-002', 'tm-001']);
    expect(english[0]?.sharedLanguages).toEqual(['en']);
    const russian = rankContacts(snapshot, {
      country: 'TM',
      competence: 'mla',
      now: saturday,
      askerLanguages: ['ru'],
    });
    expect(ids(russian)).toEqual(['tm-001', 'tm-002']);
  });

  it('flags records verified more than twelve months ago and lists them after fresh ones', () => {
    const [kz004] = rankContacts(snapshot, { country: 'KZ', competence: 'digital_evidence', now: saturday });
    expect(kz004).toMatchObject({ id: 'kz-004', possiblyStale: true, verifiedAt: '2025-03-01' });
    const armenia = rankContacts(snapshot, { country: 'AM', competence: 'mla', now: saturday });
    expect(ids(armenia)).toEqual(['am-001', 'am-003']);
    expect(armenia.map((contact) => contact.possiblyStale)).toEqual([false, true]);
    expect(rankContacts(snapshot, { country: 'TJ', competence: 'jit', now: saturday })[0]).toMatchObject({
      id: 'tj-002',
      possiblyStale: true,
    });
  });

  it('tells the local time in the country and whether it is within working hours', () => {
    const [weekend] = rankContacts(snapshot, { country: 'KG', competence: 'extradition', now: saturday });
    expect(weekend).toMatchObject({
      timezone: 'Asia/Bishkek',
      localTime: '16:00',
      withinWorkingHours: false,
    });
    const monday = new Date('2026-11-30T05:00:00Z');
    expect(
      rankContacts(snapshot, { country: 'KG', competence: 'extradition', now: monday })[0],
    ).toMatchObject({ localTime: '11:00', withinWorkingHours: true });
    expect(rankContacts(snapshot, { country: 'US', competence: 'mla', now: monday })[0]).toMatchObject({
      localTime: '00:00',
      withinWorkingHours: false,
    });
  });

  it('says "not working" on a public holiday, as nudges and deadlines count it (one working-time model)', () => {
    // Monday 8 March 2027, 11:00 in Yerevan: International Women's Day, a public holiday in Armenia.
    const holiday = new Date('2027-03-08T07:00:00Z');
    const [onHoliday] = rankContacts(snapshot, { country: 'AM', competence: 'mla', now: holiday });
    expect(onHoliday).toMatchObject({ localTime: '11:00', withinWorkingHours: false });
    expect(workingTime.nextWorkingInstant(holiday.getTime(), amCalendar(onHoliday?.id))).toBeGreaterThan(
      holiday.getTime(),
    );
    const nextDay = new Date('2027-03-09T07:00:00Z');
    expect(rankContacts(snapshot, { country: 'AM', competence: 'mla', now: nextDay })[0]).toMatchObject({
      localTime: '11:00',
      withinWorkingHours: true,
    });
  });

  it('shows members the published channels and names in the answer language', () => {
    const [contact] = rankContacts(snapshot, {
      country: 'KG',
      competence: 'extradition',
      now: saturday,
      locale: 'ru',
      viewer: { role: 'member', country: 'KZ' },
    });
    expect(contact?.name).toBe('Бакыт Демо-Токтогулов');
    expect(contact?.channels).toMatchObject({
      telegram: 'bakyt_demo',
      email: 'demo-toktogulov@kg-gpo.example.org',
    });
  });

  it('returns nothing for a country outside the registry', () => {
    expect(rankContacts(snapshot, { country: 'FR', competence: 'mla', now: saturday })).toEqual([]);
  });
});

describe('legal bases', () => {
  it('links a Kazakh asker with Kyrgyzstan for extradition through Minsk, Chisinau, UNTOC and UNCAC', () => {
    const bases = legalBases(snapshot, 'KG', 'KZ', 'extradition', 'en');
    expect(ids(bases).sort()).toEqual(['chisinau-2002', 'minsk-1993', 'uncac', 'untoc']);
  });

  it('uses only treaties both countries are parties to and that cover the competence', () => {
    expect(ids(legalBases(snapshot, 'GE', 'TJ', 'extradition', 'en')).sort()).toEqual([
      'minsk-1993',
      'uncac',
      'untoc',
    ]);
    expect(ids(legalBases(snapshot, 'NL', 'AM', 'digital_evidence', 'en'))).toEqual(['budapest-2001']);
    expect(ids(legalBases(snapshot, 'US', 'KZ', 'digital_evidence', 'en'))).toEqual([]);
  });

  it("lists the target country's treaties when the asker's country is unknown", () => {
    expect(ids(legalBases(snapshot, 'GE', undefined, 'mla', 'en')).sort()).toEqual([
      'budapest-2001',
      'coe-mla-1959',
      'minsk-1993',
      'uncac',
      'untoc',
    ]);
  });
});

describe('central authorities', () => {
  it('names both authorities, with their stages, where a country splits the competence', () => {
    const armenia = centralAuthorities(snapshot, 'AM', 'extradition', 'en');
    expect(armenia.map((authority) => [authority.id, authority.stages])).toEqual([
      ['am-gpo', ['pre_trial']],
      ['am-moj', ['trial', 'enforcement']],
    ]);
    expect(ids(centralAuthorities(snapshot, 'TM', 'mla', 'en'))).toEqual(['tm-gpo', 'tm-moj']);
    expect(ids(centralAuthorities(snapshot, 'AZ', 'mla', 'en'))).toEqual(['az-gpo', 'az-moj']);
  });

  it('gives request languages, accepted channels and the urgent procedure', () => {
    const [kazakhstan] = centralAuthorities(snapshot, 'KZ', 'extradition', 'en');
    expect(kazakhstan).toMatchObject({
      id: 'kz-gpo',
      requestLanguages: ['kk', 'ru'],
      acceptedChannels: ['post', 'diplomatic', 'email_advance_copy'],
      urgentProcedure: 'Advance copy by e-mail accepted; original to follow by post.',
    });
  });

  it('calls a record stale by the contacts’ own calendar date, not by UTC’s', () => {
    // A year and a day, or exactly a year, depending on whose date it is.
    const file = JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as Parameters<
      typeof snapshotFromRegistryFile
    >[0];
    const verified: Record<string, string> = {
      'kz-001': '2025-12-04',
      'kz-002': '2025-12-05',
      'us-001': '2025-12-04',
      'us-002': '2025-12-03',
    };
    for (const contact of file.contacts) contact.verifiedAt = verified[contact.id] ?? contact.verifiedAt;
    const registry = snapshotFromRegistryFile(file);
    const staleness = (country: string, now: string) =>
      Object.fromEntries(
        rankContacts(registry, { country, competence: null, now: new Date(now) })
          .filter((contact) => contact.id in verified)
          .map((contact) => [contact.id, contact.possiblyStale]),
      );
    // 4 December 2026, 21:30 UTC: already 5 December (02:30) in Almaty, UTC+5. A record verified
    // on 4 December 2025 there is a year and a day old.
    expect(staleness('KZ', '2026-12-04T21:30:00Z')).toEqual({ 'kz-001': true, 'kz-002': false });
    // 5 December 2026, 02:00 UTC: still 4 December (21:00) in New York: exactly a year, not stale.
    expect(staleness('US', '2026-12-05T02:00:00Z')).toEqual({ 'us-001': false, 'us-002': true });
  });
});
