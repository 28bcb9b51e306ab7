// Questions that describe what the asker needs done rather than naming the competence, questions
// about what a request must meet, and the rule that a country once named is never dropped.
import { describe, expect, it } from 'vitest';
import { buildAskIndex } from '../src/ask/ask-index.ts';
import { cyrillicOfKey } from '../src/ask/word-inflection.ts';
import { tokenize, wordKey } from '../src/ask/word-keys.ts';
import { demoSnapshot } from './support/registry-snapshot.ts';

const { interpreter } = buildAskIndex(demoSnapshot());
const read = (text: string) => interpreter.interpret(text);

describe('acts behind each competence', () => {
  it.each([
    ['secure the contents of a mailbox in Kazakhstan', 'KZ', 'digital_evidence'],
    ['обеспечить сохранность переписки в почтовом ящике, Узбекистан', 'UZ', 'digital_evidence'],
    ['Kyrgyzstan should take over the case', 'KG', 'transfer_of_proceedings'],
    ['пусть Казахстан примет дело к своему производству', 'KZ', 'transfer_of_proceedings'],
    ['account statements from Uzbekistan for our investigation', 'UZ', 'mla'],
    ['выписки по счетам из Таджикистана для расследования', 'TJ', 'mla'],
    ['a crypto wallet seized in Georgia', 'GE', 'asset_recovery'],
    ['наложить арест на недвижимость обвиняемого в Турции', 'TR', 'asset_recovery'],
    ['the suspect fled to Armenia and we need him back for trial', 'AM', 'extradition'],
    ['обвиняемый скрылся в Азербайджане', 'AZ', 'extradition'],
    [
      'a prisoner wants to serve the rest of his sentence at home in Turkmenistan',
      'TM',
      'transfer_of_sentenced_persons',
    ],
    ['осуждённый хочет отбывать наказание на родине, в Кыргызстане', 'KG', 'transfer_of_sentenced_persons'],
    ['we want to investigate together with Sweden', 'SE', 'jit'],
    ['хотим объединить усилия с Нидерландами в расследовании', 'NL', 'jit'],
  ])('reads "%s" as %s, %s', (text, country, competence) => {
    expect(read(text)).toMatchObject({ intent: 'find_contact', countries: [country], competence });
  });

  it('reads the acts in any inflection, typed in Latin letters and with typos', () => {
    for (const text of [
      'допросили свидетеля в Казахстане',
      'допросить свидетелей в Казахстане',
      'doprosit svidetelya v Kazakhstane',
      'interviewing witnesses in Kazakhstan',
      'interviwe a witness in Kazakhstan',
    ]) {
      expect(read(text), text).toMatchObject({ countries: ['KZ'], competence: 'mla' });
    }
    for (const text of [
      'сохранить переписку в Грузии',
      'сохранили переписку в Грузии',
      'sohranit perepisku v Gruzii',
      'preserving the emails in Georgia',
      'preserved emails, Georgia',
    ]) {
      expect(read(text), text).toMatchObject({ countries: ['GE'], competence: 'digital_evidence' });
    }
  });

  it('lets a competence named outright win over the acts described', () => {
    expect(read('MLA request for the contents of a mailbox in the Netherlands').competence).toBe('mla');
    expect(read('extradition of a suspect who bought a villa in Turkey').competence).toBe('extradition');
    // Among acts, the longer phrase and the more phrases win.
    expect(read('freeze the data on a cloud server in Germany').competence).toBe('digital_evidence');
    expect(read('freeze the bank accounts in Germany').competence).toBe('asset_recovery');
  });

  it('does not read common words as acts', () => {
    // "trafficking" is not "трафик" (traffic data), "want" is not "wanted".
    expect(read('drug trafficking case with Kazakhstan').competence).toBeNull();
    expect(read('we want to talk to someone in Georgia').competence).toBeNull();
    // Asking for a contact's e-mail, website or phone is not asking for electronic evidence.
    for (const [text, country] of [
      ['phone number of the prosecutor in Armenia', 'AM'],
      ['email address of the contact point in Georgia', 'GE'],
      ['электронная почта прокурора в Казахстане', 'KZ'],
      ['сайт прокуратуры Грузии', 'GE'],
      ['who took over from the retired contact in Kyrgyzstan', 'KG'],
      ['search for a contact in Kazakhstan', 'KZ'],
    ] as const) {
      expect(read(text), text).toMatchObject({ countries: [country], competence: null, asks: 'contacts' });
    }
    // Talk about linking one's own messenger account is not a registry question.
    expect(read('how do I link my telegram account').intent).toBe('other');
    expect(read('как привязать аккаунт телеграм').intent).toBe('other');
  });
});

describe('Russian and English inflection', () => {
  it('spells a word key back in Russian letters with the endings Snowball looks for', () => {
    expect(cyrillicOfKey(wordKey('данных'))).toBe('даних');
    expect(cyrillicOfKey(wordKey('экстрадицией'))).toBe('екстрадицией');
    expect(cyrillicOfKey(wordKey('счетах'))).toBe('шетах');
  });

  it('gives a Cyrillic word and the same word typed in Latin letters the same stems', () => {
    const stems = (word: string) => {
      const [token] = tokenize(word);
      return token === undefined ? [] : [token.stem, ...token.lemmas];
    };
    expect(stems('допросили')).toEqual(expect.arrayContaining(['dopros']));
    expect(stems('doprosili')).toEqual(expect.arrayContaining(['dopros']));
    expect(stems('preserving')).toEqual(expect.arrayContaining(['preserv']));
    expect(stems('preserved')).toEqual(expect.arrayContaining(['preserv']));
  });
});

describe('what the question asks', () => {
  it.each([
    ['what do I need to send an MLA request to Uzbekistan', ['UZ'], 'mla', 'requirements'],
    ['какие документы нужны для запроса о выдаче в Казахстан', ['KZ'], 'extradition', 'requirements'],
    ['requirements for e-evidence from the Netherlands', ['NL'], 'digital_evidence', 'requirements'],
    ['на каком языке направлять запрос об экстрадиции в Турцию', ['TR'], 'extradition', 'requirements'],
    ['trebovaniya k zaprosu o vydache v Kazakhstan', ['KZ'], 'extradition', 'requirements'],
    ['tips on electronic evidence', [], 'digital_evidence', 'tips'],
    ['советы по электронным доказательствам', [], 'digital_evidence', 'tips'],
    ['sovety po ekstradicii', [], 'extradition', 'tips'],
    ['tips on what to include in an MLA request', [], 'mla', 'tips'],
  ])('"%s" asks about %s %s: %s', (text, countries, competence, asks) => {
    expect(read(text)).toMatchObject({ intent: 'find_contact', countries, competence, asks });
  });

  it('keeps "who do I need" and "I need the contact" a question for contacts', () => {
    for (const text of [
      'I need the MLA central authority for Uzbekistan',
      'who do I need to contact for extradition in Georgia',
      'кто нужен по выдаче в Казахстане',
      'куда направить запрос о правовой помощи в Грузию',
      'перевод заключённого для отбывания наказания в Казахстан',
    ]) {
      expect(read(text).asks, text).toBe('contacts');
    }
  });
});

describe('a country once named is never dropped', () => {
  it('keeps the country of a sentence whose other words are not understood', () => {
    for (const [text, country] of [
      ['zxqv plorb Kazakhstan', 'KZ'],
      ['we have a problem with a case in Tajikistan', 'TJ'],
      ['у нас вопрос по Армении', 'AM'],
      ['nuzhna pomosh po Gruzii', 'GE'],
      ['Uzbek colleagues did not answer our letter', 'UZ'],
    ] as const) {
      expect(read(text), text).toMatchObject({
        intent: 'find_contact',
        countries: [country],
        competence: null,
      });
    }
  });

  it('still leaves other subjects alone: a city in small talk, or a word that changes the subject', () => {
    for (const text of [
      'what is the weather in Baku',
      'I am flying to Almaty tomorrow',
      'какая столица Узбекистана',
      'best hotels in Yerevan',
      'where is Kazakhstan?',
    ]) {
      expect(read(text), text).toMatchObject({ intent: 'other', countries: [] });
    }
  });
});
