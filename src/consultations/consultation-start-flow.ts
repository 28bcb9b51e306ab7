// Starting a consultation in chat: country, competence and sensitivity are asked for when the
// command or the ask button did not bring them, then the description. The state of this short
// dialogue (and of a decline's reason, or a message waiting for its consultation to be chosen)
// is a draft row (consultation_drafts) that expires within minutes.
import type { InboundMessage, OutboundMessage, ChatReply } from '../chat/index.ts';
import type { Locale } from '../i18n/i18n.ts';
import type { Principal } from '../members/principal.ts';
import type { Core } from './consultation-core.ts';
import { deleteDraft, draftOf, saveDraft, type DraftRow } from './consultation-repository.ts';
import type { DraftStep } from './consultations-schema.ts';

const draftMinutes = 30;
const heldMinutes = 15;

export const prefixOf = (inbound: InboundMessage): string => (inbound.platform === 'matrix' ? '!' : '/');

export function createStartFlow(core: Core) {
  const db = core.deps.db;
  const say = (
    locale: Locale,
    id: string,
    args?: Record<string, string | number>,
    buttons?: OutboundMessage['buttons'],
  ): OutboundMessage => ({
    text: core.t(locale, id, args),
    locale,
    ...(buttons === undefined ? {} : { buttons }),
  });
  const cancelButton = (locale: Locale) => ({
    label: core.t(locale, 'consult-button-cancel'),
    action: 'consult:cancel',
  });

  function findCountry(input: string): string | undefined {
    const wanted = input.trim().toLowerCase();
    if (wanted === '') return undefined;
    const countries = core.snapshot().countries;
    const byCode = countries.find((country) => country.iso2.toLowerCase() === wanted);
    if (byCode !== undefined) return byCode.iso2;
    const names = (iso2: string) =>
      Object.values(
        (core.snapshot().countryByIso2.get(iso2) as { name?: Record<string, string> } | undefined)?.name ??
          {},
      ).map((name) => name.toLowerCase());
    return (
      countries.find((country) => names(country.iso2).includes(wanted)) ??
      countries.find(
        (country) =>
          wanted.length >= 4 &&
          names(country.iso2).some((name) =>
            name.startsWith(wanted.slice(0, Math.max(4, wanted.length - 2))),
          ),
      )
    )?.iso2;
  }

  function findCompetence(input: string): string | undefined {
    const wanted = input.trim().toLowerCase();
    if (wanted === '') return undefined;
    return core
      .snapshot()
      .competences.find(
        (competence) =>
          competence.id === wanted ||
          Object.values(competence.label).some((label) => label.toLowerCase() === wanted),
      )?.id;
  }

  /** Country and competence named in free words: the ask interpreter first, plain codes and names otherwise. */
  function understand(text: string): { country: string | undefined; competence: string | undefined } {
    const interpreted = core.deps.interpret?.(text);
    const known = interpreted?.countries.find((iso2) => core.snapshot().countryByIso2.has(iso2));
    const words = text.split(/\s+/);
    return {
      country: known ?? findCountry(text) ?? words.map(findCountry).find((found) => found !== undefined),
      competence:
        interpreted?.competence ??
        findCompetence(text) ??
        words.map(findCompetence).find((found) => found !== undefined),
    };
  }

  async function save(
    principal: Principal,
    inbound: InboundMessage,
    step: DraftStep,
    fields: Partial<DraftRow>,
  ): Promise<void> {
    const previous = await draftOf(db, principal.memberId, core.clock());
    await saveDraft(db, {
      memberId: principal.memberId,
      step,
      country: fields.country ?? previous?.country ?? null,
      competence: fields.competence ?? previous?.competence ?? null,
      sensitive: fields.sensitive ?? previous?.sensitive ?? null,
      consultationNumber: fields.consultationNumber ?? null,
      heldCiphertext: fields.heldCiphertext ?? null,
      heldSourceKey: fields.heldSourceKey ?? null,
      platform: inbound.platform,
      chatId: inbound.chatId,
      expiresAt: new Date(core.clock().getTime() + (step === 'choose' ? heldMinutes : draftMinutes) * 60_000),
    });
  }

  /** Asks for whatever the draft still lacks: country, competence, sensitivity, then the description. */
  async function nextStep(
    principal: Principal,
    inbound: InboundMessage,
    locale: Locale,
    draft: Partial<DraftRow>,
  ): Promise<ChatReply> {
    const alwaysSensitive = core.settings.alwaysSensitive;
    if (draft.country == null) {
      await save(principal, inbound, 'country', draft);
      return say(locale, 'consult-ask-country', {}, [cancelButton(locale)]);
    }
    if (draft.competence == null) {
      await save(principal, inbound, 'competence', draft);
      const buttons = core.snapshot().competences.map((competence) => ({
        label: core.notices.competenceName(competence.id, locale),
        action: `consult:comp:${competence.id}`,
      }));
      return say(
        locale,
        'consult-ask-competence',
        { country: core.notices.countryName(draft.country, locale) },
        [...buttons, cancelButton(locale)],
      );
    }
    const sensitive = alwaysSensitive ? true : draft.sensitive;
    if (sensitive == null) {
      await save(principal, inbound, 'sensitivity', draft);
      return say(locale, 'consult-ask-sensitivity', {}, [
        { label: core.t(locale, 'consult-sensitive-no'), action: 'consult:sens:n' },
        { label: core.t(locale, 'consult-sensitive-yes'), action: 'consult:sens:y' },
        cancelButton(locale),
      ]);
    }
    // The description is content: a sensitive one must not be typed into an unencrypted chat.
    if (sensitive && inbound.platform !== 'matrix') {
      await deleteDraft(db, principal.memberId);
      return say(locale, 'consult-sensitive-needs-matrix');
    }
    await save(principal, inbound, 'description', { ...draft, sensitive });
    return say(
      locale,
      'consult-ask-description',
      {
        country: core.notices.countryName(draft.country, locale),
        competence: core.notices.competenceName(draft.competence, locale),
        prefix: prefixOf(inbound),
      },
      [cancelButton(locale)],
    );
  }

  return { say, cancelButton, findCountry, findCompetence, understand, save, nextStep };
}

export type StartFlow = ReturnType<typeof createStartFlow>;
