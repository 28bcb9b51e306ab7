// The i18n module's public surface: other modules import from here only.
export {
  createTranslator,
  isLocale,
  type Locale,
  type MessageArguments,
  supportedLocales,
  type Translator,
} from './i18n.ts';
