// How questions typed in a messenger are understood: countries in any language, case or
// spelling, competences by synonym, and what is not a question for the registry at all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAskIndex } from '../src/ask/ask-index.ts';
import { sanitizeQuestion } from '../src/ask/question-text.ts';
import { demoSnapshot } from './support/registry-snapshot.ts';

const { interpreter } = buildAskIndex(demoSnapshot());
const read = (text: string) => interpreter.interpret(text);
const countriesOf = (text: string) => read(text).countries;

interface Case {
  text: string;
  intent: 'find_contact' | 'other';
  countries: string[];
  competence: string | null;
  asks?: 'contacts' | 'requirements' | 'tips';
}

// Held-out questions written for this module (not the scorer's development set): both languages,
// typos, cases, cities, codes, several countries, mixed scripts, chit-chat; and questions that
// describe the act instead of naming the competence, requirement and tips questions.
const cases = ['ask-questions.jsonl', 'ask-questions-acts.jsonl'].flatMap((file) =>
  readFileSync(join(import.meta.dirname, 'fixtures', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Case),
);

describe('the question set', () => {
  it.each(cases)('understands $text', ({ text, intent, countries, competence, asks }) => {
    const got = read(text);
    expect(got.intent).toBe(intent);
    if (intent === 'find_contact') {
      expect([...got.countries].sort()).toEqual([...countries].sort());
      expect(got.competence).toBe(competence);
      expect(got.asks).toBe(asks ?? 'contacts');
    }
  });
});

describe('countries', () => {
  it('reads Russian names in every grammatical case', () => {
    for (const text of [
      'Кыргызстан',
      'в Кыргызстане',
      'из Кыргызстана',
      'Кыргызстану',
      'с Кыргызстаном',
      'Киргизия',
      'Киргизии',
      'Киргизию',
      'Киргизией',
    ]) {
      expect(countriesOf(`экстрадиция ${text}`), text).toEqual(['KG']);
    }
    expect(countriesOf('ВПП со Швецией')).toEqual(['SE']);
    expect(countriesOf('арест активов в Нидерландах')).toEqual(['NL']);
    expect(countriesOf('выдача из Казахстана')).toEqual(['KZ']);
    expect(countriesOf('экстрадиция в Соединённых Штатах Америки')).toEqual(['US']);
  });

  it('reads Russian typed in Latin letters and national-language names', () => {
    expect(countriesOf('ekstradiciya v Kazakhstane')).toEqual(['KZ']);
    expect(countriesOf('vydacha iz Uzbekistana')).toEqual(['UZ']);
    expect(countriesOf('extradition Qazaqstan')).toEqual(['KZ']);
    expect(countriesOf('extradition Oʻzbekiston')).toEqual(['UZ']);
    expect(countriesOf("extradition Qirg'iziston")).toEqual(['KG']);
    expect(countriesOf('extradition Sakartvelo')).toEqual(['GE']);
    expect(countriesOf('extradition Kirghizia')).toEqual(['KG']);
  });

  it('forgives misspellings by edit distance, in both scripts', () => {
    expect(countriesOf('extradition Kyrgysztan')).toEqual(['KG']);
    expect(countriesOf('extradition Uzbekistn')).toEqual(['UZ']);
    expect(countriesOf('extradition Tajikstan')).toEqual(['TJ']);
    expect(countriesOf('extradition Azerbaidjan')).toEqual(['AZ']);
    expect(countriesOf('экстрадиция Таджикистн')).toEqual(['TJ']);
    expect(countriesOf('экстрадиция в Узбекистне')).toEqual(['UZ']);
  });

  it('does not read short words as misspelt countries', () => {
    expect(countriesOf('MLA for a woman in Kazakhstan')).toEqual(['KZ']);
    expect(countriesOf('how to begin extradition from Armenia')).toEqual(['AM']);
    expect(countriesOf('extradition of a child to Georgia')).toEqual(['GE']);
    expect(countriesOf('для того чтобы направить ВПП в Грузию')).toEqual(['GE']);
    expect(countriesOf('MLA to interview a witness and an agent in Kazakhstan')).toEqual(['KZ']);
    expect(countriesOf('выдача сына и матери из Армении')).toEqual(['AM']);
  });

  it('finds several countries in one question, in order', () => {
    expect(countriesOf('extradition between Kazakhstan, Kyrgyzstan and Tajikistan')).toEqual([
      'KZ',
      'KG',
      'TJ',
    ]);
    expect(countriesOf('ВПП Армения, Азербайджан, Грузия')).toEqual(['AM', 'AZ', 'GE']);
    expect(countriesOf('MLA KG UZ TJ')).toEqual(['KG', 'UZ', 'TJ']);
  });

  it('takes a capital or a major city for its country', () => {
    expect(countriesOf('MLA Bishkek')).toEqual(['KG']);
    expect(countriesOf('extradition Tashkent')).toEqual(['UZ']);
    expect(countriesOf('экстрадиция в Ташкенте')).toEqual(['UZ']);
    expect(countriesOf('ВПП Ашхабад')).toEqual(['TM']);
    expect(countriesOf('asset recovery Almaty')).toEqual(['KZ']);
    expect(countriesOf('MLA to the Hague')).toEqual(['NL']);
    expect(countriesOf('MLA Osh')).toEqual(['KG']);
    expect(countriesOf('ВПП в Стокгольме')).toEqual(['SE']);
    expect(countriesOf('MLA Semey')).toEqual(['KZ']);
    // A smaller city counts only when capitalised: "семьёй" (with the family) is not Semey.
    expect(countriesOf('выдача вместе с семьёй из Армении')).toEqual(['AM']);
  });

  it('reads codes only where they cannot be ordinary words', () => {
    expect(countriesOf('extradition KG')).toEqual(['KG']);
    expect(countriesOf('extradition KGZ and UZB')).toEqual(['KG', 'UZ']);
    expect(countriesOf('who is in charge of MLA in Armenia')).toEqual(['AM']);
    expect(countriesOf('I am looking for MLA to Georgia')).toEqual(['GE']);
    expect(countriesOf('EXTRADITION IN KYRGYZSTAN')).toEqual(['KG']);
  });

  it('mixes scripts within one sentence', () => {
    expect(read('extradition в Казахстан')).toMatchObject({ countries: ['KZ'], competence: 'extradition' });
    expect(read('экстрадиция Kyrgyzstan')).toMatchObject({ countries: ['KG'], competence: 'extradition' });
    expect(read('MLA в Узбекистане и Tajikistan')).toMatchObject({
      countries: ['UZ', 'TJ'],
      competence: 'mla',
    });
  });

  it('recognises countries outside the registry so the answer can say so', () => {
    expect(countriesOf('extradition to France')).toEqual(['FR']);
    expect(countriesOf('ВПП Бразилия')).toEqual(['BR']);
  });

  it('does not take a treaty or a language for the country asked about', () => {
    expect(countriesOf('MLA to Armenia under the Minsk convention')).toEqual(['AM']);
    expect(countriesOf('ВПП в Армению по Минской конвенции')).toEqual(['AM']);
    expect(countriesOf('extradition contact in Georgia who speaks Russian')).toEqual(['GE']);
  });
});

describe('competences', () => {
  it('takes the most specific phrase: "выдача осуждённых" is a transfer, not an extradition', () => {
    expect(read('выдача осуждённых в Казахстан').competence).toBe('transfer_of_sentenced_persons');
    expect(read('выдача в Казахстан').competence).toBe('extradition');
    expect(read('transfer of sentenced persons to Georgia').competence).toBe('transfer_of_sentenced_persons');
    expect(read('transfer of criminal proceedings to Georgia').competence).toBe('transfer_of_proceedings');
  });

  it('does not let a crime or a sentence change the competence asked about', () => {
    expect(read('I need MLA from Tajikistan for a money laundering case').competence).toBe('mla');
    expect(read('extradition of a person sentenced in absentia to Armenia').competence).toBe('extradition');
    expect(read('выдача для отбывания наказания в Армению').competence).toBe('extradition');
    expect(read('transfer of a prisoner to serve the sentence in Kazakhstan').competence).toBe(
      'transfer_of_sentenced_persons',
    );
  });

  it('accepts the words of a phrase in another order', () => {
    expect(read('доказательства в электронном виде, Грузия').competence).toBe('digital_evidence');
    expect(read('preservation of data Armenia').competence).toBe('digital_evidence');
  });

  it('knows abbreviations and synonyms in both languages', () => {
    const expected: Record<string, string> = {
      'MLAT Uzbekistan': 'mla',
      'letters rogatory Georgia': 'mla',
      'судебное поручение Армения': 'mla',
      'ВПП Казахстан': 'mla',
      'ARO Kyrgyzstan': 'asset_recovery',
      'арест активов Армения': 'asset_recovery',
      'freezing order Sweden': 'asset_recovery',
      'subscriber data Turkey': 'digital_evidence',
      'цифровые доказательства Грузия': 'digital_evidence',
      '24/7 Azerbaijan': 'digital_evidence',
      'JIT Netherlands': 'jit',
      'ССГ Швеция': 'jit',
      'surrender of fugitives UK': 'extradition',
    };
    for (const [text, competence] of Object.entries(expected))
      expect(read(text).competence, text).toBe(competence);
  });

  it('does not mistake ordinary short words for abbreviations', () => {
    expect(read('what time is it in Tashkent').intent).toBe('other');
  });
});

describe('intent and language', () => {
  it('answers registry questions even with the country or the competence missing', () => {
    expect(read('who handles extradition?')).toMatchObject({
      intent: 'find_contact',
      countries: [],
      competence: 'extradition',
    });
    expect(read('contacts in Georgia')).toMatchObject({
      intent: 'find_contact',
      countries: ['GE'],
      competence: null,
    });
  });

  it('leaves greetings, chit-chat and place names in other subjects alone', () => {
    for (const text of [
      'hello',
      'спасибо!',
      'what is the weather in Bishkek',
      'какая погода в Бишкеке',
      'best hotels in Baku',
    ]) {
      expect(read(text), text).toMatchObject({ intent: 'other', countries: [], competence: null });
    }
  });

  it('tells a place in another subject from a place asked about', () => {
    expect(read('where is Kazakhstan?').intent).toBe('other');
    expect(read('где находится Ташкент').intent).toBe('other');
    expect(read('где контакт в Армении')).toMatchObject({ intent: 'find_contact', countries: ['AM'] });
    expect(read('how to contact Georgia')).toMatchObject({ intent: 'find_contact', countries: ['GE'] });
  });

  it('answers in the language of the question, Russian in Latin letters included', () => {
    expect(read('who handles extradition in Kyrgyzstan').language).toBe('en');
    expect(read('кто занимается экстрадицией').language).toBe('ru');
    expect(read('kto zanimaetsya ekstradiciej v Kazakhstane').language).toBe('ru');
    expect(read('🙂').language).toBeUndefined();
  });
});

describe('bad input', () => {
  it('strips control, zero-width and bidi-override characters before reading', () => {
    expect(countriesOf('extradition \u202BKyrgyzstan\u202C')).toEqual(['KG']);
    expect(countriesOf('extradition Kyr\u200Bgyz\u200Dstan')).toEqual(['KG']);
    expect(countriesOf('extradition\u0000\u0007 Kyrgyzstan')).toEqual(['KG']);
    expect(sanitizeQuestion('a\u202Eb\u2066c\u0000d')).toBe('abc d');
  });

  it('normalises compatibility forms (full-width letters)', () => {
    expect(read('ＭＬＡ Ｇｅｏｒｇｉａ')).toMatchObject({ countries: ['GE'], competence: 'mla' });
  });

  // What a long text costs is measured by the benchmarks; here, that the rest is never read.
  it('reads only the first 500 characters of a 10,000-character text', () => {
    const long = `extradition Kyrgyzstan ${'lorem ipsum dolor '.repeat(600)} Tajikistan`;
    expect(long.length).toBeGreaterThan(10_000);
    const got = read(long);
    expect(got.countries).toEqual(['KG']);
    expect(sanitizeQuestion(long)).toHaveLength(500);
    expect(sanitizeQuestion('я'.repeat(10_000))).toHaveLength(500);
  });

  it('calls empty text, emoji, HTML, SQL and binary garbage "other" without failing', () => {
    const garbage = String.fromCharCode(...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 65536));
    for (const text of [
      '',
      '   ',
      '🙂🙂🙂',
      '<b><script>alert(1)</script></b>',
      "'; DROP TABLE contacts; --",
      garbage,
      '\uD800\uDFFF\uDBFF',
    ]) {
      expect(() => read(text)).not.toThrow();
      expect(read(text).competence).toBeNull();
    }
    expect(read('').intent).toBe('other');
    expect(read('🙂🙂🙂').intent).toBe('other');
  });
});
