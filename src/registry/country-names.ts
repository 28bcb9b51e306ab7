// Country names come from ISO 3166 data (i18n-iso-countries), not from the registry file, so every
// country reads the same in every registry and language.
import countryCodes from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import russian from 'i18n-iso-countries/langs/ru.json' with { type: 'json' };
import type { LocalizedText } from './registry-schema.ts';

countryCodes.registerLocale(english);
countryCodes.registerLocale(russian);

/** The languages country names are given in. */
export const countryNameLocales = ['en', 'ru'] as const;

/** Is this an assigned ISO 3166-1 alpha-2 code? Expects capitals. */
export const isIsoCountryCode = (iso2: string): boolean =>
  /^[A-Z]{2}$/.test(iso2) && countryCodes.isValid(iso2);

/** `{ en: "Kyrgyzstan", ru: "Киргизия" }`; the code itself where no name is known. */
export function countryName(iso2: string): LocalizedText {
  const names: LocalizedText = {};
  for (const locale of countryNameLocales) {
    names[locale] = countryCodes.getName(iso2, locale, { select: 'official' }) ?? iso2;
  }
  return names;
}
