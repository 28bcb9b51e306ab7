// Answers "who handles what, where": interprets the question, ranks the contacts of each country
// asked about, and composes the reply. Reads only the in-memory registry snapshot, so an answer
// costs no database round trip; the lookup itself is audited (never the question's text).
import { type Clock, systemClock } from '../clock/index.ts';
import countryCodes from 'i18n-iso-countries';
import { askIndexFor } from './ask-index.ts';
import type { AskAnswer, CountryResult, Interpretation } from './ask-types.ts';
import { createAnswerCache } from './answer-cache.ts';
import { countriesAnswered, createComposer, type Composer } from './answer-composer.ts';
import { centralAuthorities, legalBases, localized, rankContacts } from './contact-ranking.ts';
import {
  createPracticalAnswers,
  tipFor,
  type PracticalReader,
  type SheetDetail,
  type SheetInAnswer,
} from './practical-answers.ts';
import type { InterpretedQuestion } from './question-interpreter.ts';
import { actorOf, askingCountryOf, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { OutboundMessage, SharedMessageLimits } from '../chat/index.ts';
import { isLocale, type Locale, type Translator } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';
import type { WorkingTime } from '../schedule/index.ts';

/** What the ask module needs from the registry module. */
export interface RegistryReader {
  snapshot(): RegistrySnapshot;
  /** Called with each new snapshot; returns an unsubscribe function. */
  onChange?(listener: (snapshot: RegistrySnapshot) => void): () => void;
}

export interface AskServiceDeps {
  registry: RegistryReader;
  translator: Translator;
  audit: Pick<AuditService, 'enqueue'>;
  /** Requirement sheets and tips, for "what do I need to send" and "tips on" questions. */
  practical: PracticalReader;
  /** The one working-time model (local times, "working now"), built by the composition root. */
  workingTime: WorkingTime;
  /** Default: the system clock. */
  clock?: Clock;
  /**
   * What one message holds on every messenger of the deployment (`sharedMessageLimits`): an answer
   * is composed once and may be sent to anyone.
   */
  limits: SharedMessageLimits;
}

export interface AskInput {
  principal: Principal;
  text: string;
  /** Answer language; default: the question's language, then the member's, then English. */
  locale?: Locale | undefined;
  /**
   * Ask on behalf of a country's prosecutors; admins only (a member asks as their own country). An
   * admin of no country who names none is answered for no asking country.
   */
  askerCountry?: string | undefined;
}

export interface AskService {
  ask(input: AskInput): Promise<AskAnswer>;
  /**
   * Answers an `ask:*` button (`ask:pick:KG:extradition`, `ask:every:KG:extradition` (every
   * contact, nothing collapsed), `ask:req:KG:mla`, `ask:all:KG:mla`,
   * `ask:tip:<id>`, `ask:tips:<topic>`); undefined for other actions.
   */
  handleAction(principal: Principal, action: string, locale: Locale): Promise<OutboundMessage | undefined>;
  /** The interpretation alone, without ranking, reply or audit (tests, benchmarks, other modules). */
  interpret(text: string): InterpretedQuestion;
  /** The registry's countries named in `locale`: what an admin of no country may ask for. */
  countryChoices(locale: Locale): { value: string; label: string }[];
  /** Stops following registry changes. */
  close(): void;
}

/** Contacts returned per country: the best ones; a registry may hold hundreds per country. */
export const contactsPerCountry = 20;

export function createAskService({
  registry,
  translator,
  audit,
  practical,
  workingTime,
  clock = systemClock,
  limits,
}: AskServiceDeps): AskService {
  // Build the index now (word lists, place names: a fraction of a second) rather than on the first question.
  askIndexFor(registry.snapshot());
  const unsubscribe = registry.onChange?.((snapshot) => {
    askIndexFor(snapshot);
  });
  const composedAnswers = createAnswerCache<{ results: CountryResult[]; message: OutboundMessage }>();

  function lookUp(
    snapshot: RegistrySnapshot,
    interpretation: Interpretation,
    principal: Principal,
    locale: Locale,
    askerCountry: string | undefined,
  ): CountryResult[] {
    if (interpretation.intent !== 'find_contact') return [];
    const now = clock.now();
    const askerLanguages = [
      ...new Set([
        locale,
        ...(askerCountry === undefined ? [] : (snapshot.countryByIso2.get(askerCountry)?.languages ?? [])),
      ]),
    ];
    return interpretation.countries.map((country) => {
      const inRegistry = snapshot.countryByIso2.has(country);
      const competence = interpretation.competence;
      return {
        country,
        countryName: countryCodes.getName(country, locale) ?? country,
        inRegistry,
        competence,
        contacts: inRegistry
          ? rankContacts(
              snapshot,
              {
                country,
                competence,
                now,
                askerLanguages,
                viewer: principal,
                locale,
                limit: contactsPerCountry,
              },
              workingTime,
            )
          : [],
        centralAuthorities:
          inRegistry && competence !== null ? centralAuthorities(snapshot, country, competence, locale) : [],
        legalBases: inRegistry ? legalBases(snapshot, country, askerCountry, competence, locale) : [],
      };
    });
  }

  /**
   * Countries to offer when the question named none: those with contacts for the competence, the
   * asker's treaty partners for it first (more treaties, more likely), never the asker's own.
   */
  function likelyCountries(
    snapshot: RegistrySnapshot,
    competence: string | null,
    askerCountry: string | undefined,
  ): string[] {
    const index = askIndexFor(snapshot);
    const candidates = snapshot.countries
      .map((country) => country.iso2)
      .filter((iso2) => iso2 !== askerCountry)
      .filter((iso2) =>
        (index.activeContactsByCountry.get(iso2) ?? []).some(
          (contact) => competence === null || contact.competences.includes(competence),
        ),
      );
    if (askerCountry === undefined) return candidates;
    const links = new Map(
      candidates.map((iso2) => [iso2, legalBases(snapshot, iso2, askerCountry, competence, 'en').length]),
    );
    return candidates.sort((a, b) => (links.get(b) ?? 0) - (links.get(a) ?? 0));
  }

  const practicalFor = (composer: Composer, snapshot: RegistrySnapshot, locale: Locale) =>
    createPracticalAnswers(composer, locale, (id) => {
      const authority = snapshot.authorityById.get(id);
      return authority === undefined ? id : localized(authority.name, locale);
    });

  /** A country's sheet for the competence with the tip to link under it; undefined when it has none. */
  function sheetOf(
    country: string,
    competence: string,
    askerCountry: string | undefined,
    locale: Locale,
  ): SheetInAnswer | undefined {
    const answer = practical.sheet(country, competence, askerCountry);
    if (answer === undefined) return undefined;
    return { country, competence, answer, tip: tipFor(practical.tips(competence, locale), competence) };
  }

  /**
   * "What do I need to send an MLA request to Uzbekistan": each country's sheet, short; a country
   * without a sheet gets what the registry knows (central authority, languages, channels, treaties).
   */
  function requirementsAnswer(
    composer: Composer,
    snapshot: RegistrySnapshot,
    results: readonly CountryResult[],
    askerCountry: string | undefined,
  ): OutboundMessage {
    const locale = composer.locale;
    const answers = practicalFor(composer, snapshot, locale);
    const shown = results.slice(0, countriesAnswered);
    const parts = shown.map((result) => {
      const competence = result.competence ?? '';
      const sheet = result.inRegistry ? sheetOf(result.country, competence, askerCountry, locale) : undefined;
      if (sheet !== undefined) return sheet;
      return {
        country: result.country,
        fallback: composer.requirementsAnswer([result], askerCountry),
      };
    });
    const [only] = parts;
    if (parts.length === 1 && only !== undefined && !('fallback' in only))
      return answers.sheet(only, 'short', askerCountry);
    const message = answers.sheets(
      parts,
      askerCountry,
      results.length > countriesAnswered
        ? composer.format.t('ask-more-countries', { count: countriesAnswered })
        : undefined,
    );
    // A country without a sheet keeps its fallback's buttons (consult, contacts).
    const buttons = [...(message.buttons ?? [])];
    for (const part of parts)
      if ('fallback' in part)
        for (const button of part.fallback.buttons ?? [])
          if (!buttons.some((known) => known.action === button.action)) buttons.push(button);
    return { ...message, buttons };
  }

  /** "Tips on electronic evidence": the tips on the topic; without a topic, the topics there are. */
  function tipsAnswer(
    composer: Composer,
    interpretation: Interpretation,
    results: readonly CountryResult[],
  ): OutboundMessage {
    const locale = composer.locale;
    const answers = practicalFor(composer, registry.snapshot(), locale);
    const topic = interpretation.competence;
    if (topic === null) {
      const known = new Set(practical.tips(undefined, locale).flatMap((tip) => tip.topics));
      return answers.topics(
        registry
          .snapshot()
          .competences.map((competence) => competence.id)
          .filter((id) => known.has(id)),
      );
    }
    return answers.tips(
      topic,
      practical.tips(topic, locale),
      results.filter((result) => result.inRegistry).map((result) => result.country),
    );
  }

  /** `ask:tip:<id>` opens a tip; `ask:tips:<topic>` lists a topic's tips. */
  function tipAction(
    composer: Composer,
    snapshot: RegistrySnapshot,
    verb: 'tip' | 'tips',
    argument: string,
  ): OutboundMessage {
    const locale = composer.locale;
    const answers = practicalFor(composer, snapshot, locale);
    if (verb === 'tips') {
      const tips = practical.tips(argument, locale);
      return tips.length === 0 ? composer.staleAction() : answers.tips(argument, tips, []);
    }
    const tip = practical.tips(undefined, locale).find((candidate) => candidate.id === argument);
    return tip === undefined ? composer.staleAction() : answers.tip(tip);
  }

  function reply(
    composer: Composer,
    snapshot: RegistrySnapshot,
    interpretation: Interpretation,
    results: readonly CountryResult[],
    askerCountry: string | undefined,
    showAll: boolean,
  ): OutboundMessage {
    if (interpretation.asks === 'tips') return tipsAnswer(composer, interpretation, results);
    if (interpretation.intent === 'other') return composer.help();
    if (
      interpretation.asks === 'requirements' &&
      interpretation.competence !== null &&
      interpretation.countries.length > 0
    )
      return requirementsAnswer(composer, snapshot, results, askerCountry);
    if (interpretation.countries.length === 0) {
      return composer.whichCountry(
        interpretation.competence,
        likelyCountries(snapshot, interpretation.competence, askerCountry),
        interpretation.asks === 'requirements' && interpretation.competence !== null ? 'req' : 'pick',
      );
    }
    return composer.answer(interpretation, results, askerCountry, { showAll });
  }

  function answerFor(
    principal: Principal,
    interpretation: Interpretation,
    locale: Locale,
    askerCountry: string | undefined,
    via: 'question' | 'button',
    showAll = false,
  ): AskAnswer {
    const snapshot = registry.snapshot();
    // Everything the ranking and the reply depend on besides the snapshot and the minute.
    const key = [
      interpretation.intent,
      interpretation.countries.join(','),
      interpretation.competence ?? '-',
      interpretation.asks,
      locale,
      askerCountry ?? '-',
      principal.role,
      principal.country ?? '-',
      showAll ? 'all' : 'short',
    ].join('|');
    const compose = () => {
      const ranked = lookUp(snapshot, interpretation, principal, locale, askerCountry);
      const composed = reply(
        createComposer(translator, locale, snapshot, limits),
        snapshot,
        interpretation,
        ranked,
        askerCountry,
        showAll,
      );
      return { results: ranked, message: composed };
    };
    // Requirement sheets and tips live outside the registry snapshot (they can change without
    // it), and are asked for far less often: only contact answers are remembered.
    const { results, message } =
      interpretation.asks === 'contacts'
        ? composedAnswers.get(snapshot, clock.now(), key, compose)
        : compose();
    audit.enqueue({
      actor: actorOf(principal),
      action: 'registry.ask',
      details: {
        via,
        intent: interpretation.intent,
        countries: interpretation.countries,
        competence: interpretation.competence,
        asks: interpretation.asks,
        askerCountry: askerCountry ?? null,
        contacts: results.flatMap((result) => result.contacts.map((contact) => contact.id)),
      },
    });
    return {
      interpretation,
      locale,
      results,
      reply: {
        text: message.text,
        buttons: message.buttons ?? [],
        locale,
        ...(message.rich === undefined ? {} : { rich: message.rich }),
      },
    };
  }

  return {
    async ask({ principal, text, locale, askerCountry }) {
      // An admin of no country (the secretariat) who names none is answered for no asking country
      // (legal bases: the target's treaties for the competence), as the API contract says; the
      // chat asks them which country they ask for before it asks here.
      const asker = askingCountryOf(principal, askerCountry);
      const understood = askIndexFor(registry.snapshot()).interpreter.interpret(text);
      const answerLocale =
        locale ?? understood.language ?? (isLocale(principal.locale) ? principal.locale : 'en');
      const interpretation: Interpretation = {
        intent: understood.intent,
        countries: understood.countries,
        competence: understood.competence,
        asks: understood.asks,
      };
      return answerFor(principal, interpretation, answerLocale, asker, 'question');
    },

    async handleAction(principal, action, locale) {
      const [prefix, verb, country = '', competenceOrDash = ''] = action.split(':');
      if (prefix !== 'ask') return undefined;
      const snapshot = registry.snapshot();
      const composer = createComposer(translator, locale, snapshot, limits);
      if (verb === 'tip' || verb === 'tips') return tipAction(composer, snapshot, verb, country);
      if (verb !== 'pick' && verb !== 'every' && verb !== 'req' && verb !== 'all') return undefined;
      const competence = competenceOrDash === '-' ? null : competenceOrDash;
      const knownCompetence =
        competence === null || snapshot.competences.some((candidate) => candidate.id === competence);
      if (!countryCodes.isValid(country) || !/^[A-Z]{2}$/.test(country) || !knownCompetence)
        return composer.staleAction();
      const asker = askingCountryOf(principal, undefined);
      if (verb === 'pick' || verb === 'every') {
        return answerFor(
          principal,
          { intent: 'find_contact', countries: [country], competence, asks: 'contacts' },
          locale,
          asker,
          'button',
          verb === 'every',
        ).reply;
      }
      if (competence === null) return composer.staleAction();
      const detail: SheetDetail = verb === 'all' ? 'full' : 'short';
      audit.enqueue({
        actor: actorOf(principal),
        action: 'registry.requirements',
        details: { country, competence, askerCountry: asker ?? null, detail },
      });
      const sheet = sheetOf(country, competence, asker, locale);
      if (sheet !== undefined) return practicalFor(composer, snapshot, locale).sheet(sheet, detail, asker);
      return composer.requirements(
        country,
        competence,
        centralAuthorities(snapshot, country, competence, locale),
        legalBases(snapshot, country, asker, competence, locale),
        asker,
      );
    },

    interpret: (text) => askIndexFor(registry.snapshot()).interpreter.interpret(text),

    countryChoices: (locale) =>
      registry.snapshot().countries.map((country) => ({
        value: country.iso2,
        label: countryCodes.getName(country.iso2, locale) ?? country.iso2,
      })),

    close() {
      unsubscribe?.();
    },
  };
}
