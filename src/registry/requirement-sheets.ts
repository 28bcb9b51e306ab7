// Which requirement sheet answers "what does X need for a request about Y": the sheet for that
// competence, else the country's default sheet. Served from the in-memory registry view.
import type { RequirementRecord, TreatyRecord } from './registry-format.ts';
import { treatiesLinking, type TodayIn } from './registry-queries.ts';
import { freshSinceDay, type RegistryView } from './registry-snapshot.ts';

export interface SheetQuery {
  /** ISO2, any case. */
  country?: string | undefined;
  competence?: string | undefined;
  /** The country the request would come from: legal bases are the treaties both are party to. */
  askerCountry?: string | undefined;
}

/** A sheet with what a reader needs beside it, computed from the rest of the registry. */
export interface SheetAnswer {
  sheet: RequirementRecord;
  /** Set when the country's default sheet answers a question about this competence. */
  fallbackFor: string | null;
  /** Verified more than twelve months before today in the sheet's country (its local date). */
  stale: boolean;
  /** Treaties linking the asker's country and the sheet's country for the competence. */
  legalBases: TreatyRecord[];
}

export function findSheets(view: RegistryView, query: SheetQuery, todayIn: TodayIn): SheetAnswer[] {
  const country = query.country?.toUpperCase();
  const sheets =
    country === undefined ? (view.file.requirements ?? []) : (view.requirementsByCountry.get(country) ?? []);
  const answer = (sheet: RequirementRecord, fallbackFor: string | null): SheetAnswer => ({
    sheet,
    fallbackFor,
    stale: sheet.verifiedAt < freshSinceDay(todayIn(sheet.country)),
    legalBases: treatiesLinking(
      view.file.treaties,
      sheet.country,
      query.askerCountry?.toUpperCase(),
      sheet.competence ?? fallbackFor,
    ),
  });
  const { competence } = query;
  if (competence === undefined) return sheets.map((sheet) => answer(sheet, null));
  // One answer per country: its sheet for the competence, or its default sheet.
  const byCountry = Map.groupBy(sheets, (sheet) => sheet.country);
  return [...byCountry.values()].flatMap((ofCountry) => {
    const exact = ofCountry.find((sheet) => sheet.competence === competence);
    if (exact !== undefined) return [answer(exact, null)];
    const fallback = ofCountry.find((sheet) => sheet.competence === null);
    return fallback === undefined ? [] : [answer(fallback, competence)];
  });
}
