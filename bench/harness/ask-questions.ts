// The questions `POST /v1/ask` is measured with: 140 distinct ones, English and Russian, one to
// three countries, with and without a competence, asked on behalf of several countries (and of
// none). The load generator sends them in turn and appends a request number to every text, so no
// two requests carry the same text and no cache keyed on the text can be what is measured.
export interface BenchQuestion {
  text: string;
  askerCountry?: string;
  locale?: 'en' | 'ru';
  /** What the interpreter should understand (checked before measuring). */
  expected: { countries: string[]; competence: string | null };
}

interface CountryNames {
  iso2: string;
  en: string;
  /** Russian, nominative ("Киргизия"). */
  ru: string;
  /** Russian, after "в" ("в Киргизии"). */
  ruIn: string;
}

const countries: readonly CountryNames[] = [
  { iso2: 'KZ', en: 'Kazakhstan', ru: 'Казахстан', ruIn: 'в Казахстане' },
  { iso2: 'KG', en: 'Kyrgyzstan', ru: 'Киргизия', ruIn: 'в Киргизии' },
  { iso2: 'TJ', en: 'Tajikistan', ru: 'Таджикистан', ruIn: 'в Таджикистане' },
  { iso2: 'TM', en: 'Turkmenistan', ru: 'Туркменистан', ruIn: 'в Туркменистане' },
  { iso2: 'UZ', en: 'Uzbekistan', ru: 'Узбекистан', ruIn: 'в Узбекистане' },
  { iso2: 'AM', en: 'Armenia', ru: 'Армения', ruIn: 'в Армении' },
  { iso2: 'AZ', en: 'Azerbaijan', ru: 'Азербайджан', ruIn: 'в Азербайджане' },
  { iso2: 'GE', en: 'Georgia', ru: 'Грузия', ruIn: 'в Грузии' },
  { iso2: 'DE', en: 'Germany', ru: 'Германия', ruIn: 'в Германии' },
  { iso2: 'TR', en: 'Turkey', ru: 'Турция', ruIn: 'в Турции' },
  { iso2: 'NL', en: 'the Netherlands', ru: 'Нидерланды', ruIn: 'в Нидерландах' },
  { iso2: 'SE', en: 'Sweden', ru: 'Швеция', ruIn: 'в Швеции' },
  { iso2: 'US', en: 'the United States', ru: 'США', ruIn: 'в США' },
  { iso2: 'AE', en: 'the UAE', ru: 'ОАЭ', ruIn: 'в ОАЭ' },
  { iso2: 'GB', en: 'the United Kingdom', ru: 'Великобритания', ruIn: 'в Великобритании' },
];

interface CompetenceNames {
  id: string;
  en: string;
  /** Russian, after "занимается" ("экстрадицией"). */
  ruWith: string;
  /** Russian, nominative ("экстрадиция"). */
  ru: string;
}

const competences: readonly CompetenceNames[] = [
  { id: 'extradition', en: 'extradition', ruWith: 'экстрадицией', ru: 'экстрадиция' },
  { id: 'mla', en: 'mutual legal assistance', ruWith: 'взаимной правовой помощью', ru: 'правовая помощь' },
  { id: 'asset_recovery', en: 'asset recovery', ruWith: 'возвратом активов', ru: 'возврат активов' },
  {
    id: 'digital_evidence',
    en: 'electronic evidence',
    ruWith: 'электронными доказательствами',
    ru: 'электронные доказательства',
  },
  {
    id: 'transfer_of_proceedings',
    en: 'transfer of criminal proceedings',
    ruWith: 'передачей уголовного преследования',
    ru: 'передача уголовного преследования',
  },
  {
    id: 'transfer_of_sentenced_persons',
    en: 'transfer of sentenced persons',
    ruWith: 'передачей осуждённых',
    ru: 'передача осуждённых',
  },
  { id: 'jit', en: 'joint investigation teams', ruWith: 'совместными следственными группами', ru: 'ССГ' },
];

/** Asking countries in turn; `undefined` asks on behalf of nobody (the target's treaties are listed). */
const askers: readonly (string | undefined)[] = ['KZ', 'KG', 'UZ', 'TJ', 'AM', 'GE', 'AZ', undefined];

type Template = (cs: readonly CountryNames[], competence: CompetenceNames) => string;

interface TemplateSet {
  language: 'en' | 'ru';
  countries: 1 | 2 | 3;
  withCompetence: boolean;
  build: Template;
}

const templates: readonly TemplateSet[] = [
  {
    language: 'en',
    countries: 1,
    withCompetence: true,
    build: ([a], k) => `who handles ${k.en} in ${a?.en ?? ''}`,
  },
  {
    language: 'en',
    countries: 1,
    withCompetence: true,
    build: ([a], k) => `${k.en} request to ${a?.en ?? ''}: whom should I contact`,
  },
  {
    language: 'en',
    countries: 2,
    withCompetence: true,
    build: ([a, b], k) => `${k.en} contacts in ${a?.en ?? ''} and ${b?.en ?? ''}`,
  },
  {
    language: 'en',
    countries: 3,
    withCompetence: true,
    build: ([a, b, c], k) => `who deals with ${k.en} in ${a?.en ?? ''}, ${b?.en ?? ''} and ${c?.en ?? ''}`,
  },
  {
    language: 'en',
    countries: 1,
    withCompetence: false,
    build: ([a]) => `who can I contact in ${a?.en ?? ''}`,
  },
  {
    language: 'en',
    countries: 2,
    withCompetence: false,
    build: ([a, b]) => `contact points in ${a?.en ?? ''} and ${b?.en ?? ''}`,
  },
  {
    language: 'ru',
    countries: 1,
    withCompetence: true,
    build: ([a], k) => `кто занимается ${k.ruWith} ${a?.ruIn ?? ''}`,
  },
  {
    language: 'ru',
    countries: 1,
    withCompetence: true,
    build: ([a], k) => `${k.ru}, ${a?.ru ?? ''}: к кому обратиться`,
  },
  {
    language: 'ru',
    countries: 2,
    withCompetence: true,
    build: ([a, b], k) => `кто занимается ${k.ruWith} ${a?.ruIn ?? ''} и ${b?.ruIn ?? ''}`,
  },
  {
    language: 'ru',
    countries: 3,
    withCompetence: true,
    build: ([a, b, c], k) => `контакты: ${k.ru}, ${a?.ru ?? ''}, ${b?.ru ?? ''}, ${c?.ru ?? ''}`,
  },
  { language: 'ru', countries: 1, withCompetence: false, build: ([a]) => `контактное лицо ${a?.ruIn ?? ''}` },
  {
    language: 'ru',
    countries: 2,
    withCompetence: false,
    build: ([a, b]) => `к кому обратиться ${a?.ruIn ?? ''} и ${b?.ruIn ?? ''}`,
  },
];

/** The question set: deterministic, so every run measures the same questions. */
export function benchQuestions(count = 140): BenchQuestion[] {
  const questions: BenchQuestion[] = [];
  const seen = new Set<string>();
  for (let n = 0; questions.length < count; n++) {
    const template = templates[n % templates.length] as TemplateSet;
    const cycle = Math.floor(n / templates.length);
    const competence = competences[(n + cycle) % competences.length] as CompetenceNames;
    const picked: CountryNames[] = [];
    for (let index = 0; picked.length < template.countries; index++) {
      const country = countries[(n * 7 + cycle + index * 5) % countries.length] as CountryNames;
      if (!picked.includes(country)) picked.push(country);
    }
    const text = template.build(picked, competence);
    if (seen.has(text)) continue;
    seen.add(text);
    const asker = askers[n % askers.length];
    questions.push({
      text,
      ...(asker === undefined ? {} : { askerCountry: asker }),
      // Every fifth question asks for the other language than it is written in.
      ...(n % 5 === 4 ? { locale: template.language === 'en' ? 'ru' : 'en' } : {}),
      expected: {
        countries: picked.map((country) => country.iso2).sort(),
        competence: template.withCompetence ? competence.id : null,
      },
    });
  }
  return questions;
}
