import type { Tip } from './tips-file.ts';
import type { Locale } from '../i18n/index.ts';

/** A tip in one language: the requested one where written, else English. */
export interface LocalizedTip {
  id: string;
  topics: string[];
  locale: string;
  title: string;
  body: string;
  sources: Tip['sources'];
  verifiedAt: string;
}

export interface TipQuery {
  /** A registry competence id, e.g. digital_evidence. */
  topic?: string | undefined;
  locale?: Locale | undefined;
}

export type TipsService = ReturnType<typeof createTipsService>;

export function createTipsService(tips: readonly Tip[]) {
  const localize = (tip: Tip, locale: Locale): LocalizedTip => {
    const written = tip.title[locale] !== undefined && tip.body[locale] !== undefined ? locale : 'en';
    return {
      id: tip.id,
      topics: tip.topics,
      locale: written,
      title: tip.title[written] ?? '',
      body: tip.body[written] ?? '',
      sources: tip.sources,
      verifiedAt: tip.verifiedAt,
    };
  };
  return {
    /** Tips on a topic (all when none), in file order. */
    list({ topic, locale = 'en' }: TipQuery = {}): LocalizedTip[] {
      return tips
        .filter((tip) => topic === undefined || tip.topics.includes(topic))
        .map((tip) => localize(tip, locale));
    },
    topics: (): string[] => [...new Set(tips.flatMap((tip) => tip.topics))],
  };
}
