// Drafts: validated input -> a draft built in memory -> JSON or DOCX. The audit log records that a
// draft was made, for which country and competence; never its text.
import type { RegistryService } from '../registry/index.ts';
import { buildDraft, draftElements, type Draft } from './draft-builder.ts';
import { renderDocx } from './draft-docx.ts';
import { AppError } from '../errors/index.ts';
import { actorOf, askingCountryOf, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';

export interface DraftRequest {
  country: string;
  competence: string;
  answers: Record<string, string>;
  askerCountry?: string | undefined;
  reference?: string | undefined;
  locale?: Locale | undefined;
}

export type DraftsService = ReturnType<typeof createDraftsService>;

export function createDraftsService({
  registry,
  translator,
  audit,
}: {
  registry: Pick<RegistryService, 'view' | 'todayIn'>;
  translator: Translator;
  audit: Pick<AuditService, 'enqueue'>;
}) {
  /** Every problem of the request at once: unknown country, competence or elements. */
  function check(request: DraftRequest): string {
    const view = registry.view();
    const country = request.country.toUpperCase();
    const problems: { path: string; message: string }[] = [];
    if (!view.snapshot.countryByIso2.has(country))
      problems.push({ path: '/country', message: `${country} is not a country of the registry` });
    if (!view.file.competences.some((competence) => competence.id === request.competence))
      problems.push({
        path: '/competence',
        message: `unknown competence ${JSON.stringify(request.competence)}`,
      });
    if (problems.length === 0) {
      const known = new Set(
        draftElements(view, country, request.competence, registry.todayIn).elements.map((e) => e.id),
      );
      for (const element of Object.keys(request.answers))
        if (!known.has(element))
          problems.push({
            path: `/answers/${element}`,
            message: `not an element of a ${request.competence} request to ${country} (${[...known].join(', ')})`,
          });
    }
    if (problems.length > 0)
      throw new AppError('validation_failed', 'the draft request has problems', problems);
    return country;
  }

  function make(principal: Principal, request: DraftRequest, format: 'json' | 'docx'): Draft {
    const country = check(request);
    const draft = buildDraft(
      { view: registry.view(), translator, todayIn: registry.todayIn },
      {
        country,
        competence: request.competence,
        answers: request.answers,
        askerCountry: askingCountryOf(principal, request.askerCountry),
        reference: request.reference,
        locale: request.locale ?? (principal.locale === 'ru' ? 'ru' : 'en'),
      },
    );
    audit.enqueue({
      actor: actorOf(principal),
      action: 'draft.create',
      subject: `country:${country}`,
      details: { competence: request.competence, format, missing: draft.missing.length },
    });
    return draft;
  }

  return {
    /** The elements a draft walks through, for flows that ask them one by one. */
    elements: (country: string, competence: string) =>
      draftElements(registry.view(), country.toUpperCase(), competence, registry.todayIn),
    json: (principal: Principal, request: DraftRequest) => make(principal, request, 'json'),
    async docx(principal: Principal, request: DraftRequest): Promise<{ draft: Draft; file: Buffer }> {
      const draft = make(principal, request, 'docx');
      const file = await renderDocx(draft.document, translator.t(draft.document.locale, 'draft-documents'));
      return { draft, file };
    },
  };
}
