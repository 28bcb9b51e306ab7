// /console/registry/treaties (admins): the treaties that link countries for each competence (the
// legal bases an answer lists), as a table, and a form to add, change or remove one. Problems are
// shown next to their fields, as on the contact form.
import type { RegistryFile, TreatyRecord } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import { attr, html, type SafeHtml } from './html.ts';
import { competenceChecks, dataTable } from './page-parts.ts';

/** What the treaty form holds, as typed. */
export interface TreatyFormValues {
  id: string;
  nameEn: string;
  nameRu: string;
  covers: string[];
  /** "all" or "listed". */
  partiesKind: string;
  parties: string;
}

export type TreatyFieldErrors = Map<string, string>;

type FormBody = Record<string, string | string[] | undefined>;

const one = (body: FormBody, name: string): string => {
  const value = body[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
};

export function treatyValuesOf(treaty: TreatyRecord | undefined): TreatyFormValues {
  return {
    id: treaty?.id ?? '',
    nameEn: treaty?.name.en ?? '',
    nameRu: treaty?.name.ru ?? '',
    covers: [...(treaty?.covers ?? [])],
    partiesKind: treaty === undefined || treaty.parties !== 'all' ? 'listed' : 'all',
    parties: treaty === undefined || treaty.parties === 'all' ? '' : treaty.parties.join(', '),
  };
}

export function treatyValuesFromForm(body: FormBody): TreatyFormValues {
  const covers = body.covers;
  return {
    id: one(body, 'id').toLowerCase(),
    nameEn: one(body, 'name_en'),
    nameRu: one(body, 'name_ru'),
    covers: (Array.isArray(covers) ? covers : covers === undefined ? [] : [covers]).map((item) =>
      item.trim(),
    ),
    partiesKind: one(body, 'parties_kind') === 'all' ? 'all' : 'listed',
    parties: one(body, 'parties'),
  };
}

const treatyId = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The treaty the form describes, or the problems that keep it from being saved, each on its field. */
export function treatyFromForm(
  context: PageContext,
  values: TreatyFormValues,
  registry: RegistryFile,
  isNew: boolean,
): { treaty: TreatyRecord | undefined; errors: TreatyFieldErrors } {
  const { t } = context;
  const errors: TreatyFieldErrors = new Map();
  if (isNew && !treatyId.test(values.id)) errors.set('treaty-id', t('console-error-treaty-id'));
  if (isNew && registry.treaties.some((treaty) => treaty.id === values.id))
    errors.set('treaty-id', t('console-error-treaty-id-taken'));
  if (values.nameEn === '') errors.set('treaty-name-en', t('console-error-required'));
  const known = new Set(registry.competences.map((competence) => competence.id));
  if (values.covers.length === 0 || values.covers.some((id) => !known.has(id)))
    errors.set('treaty-covers', t('console-error-competences'));
  const codes = values.parties
    .split(/[\s,;]+/)
    .map((code) => code.toUpperCase())
    .filter(Boolean);
  if (values.partiesKind === 'listed') {
    // The registry names parties among its own countries only (the others answer no questions).
    const countries = new Set(registry.countries.map((country) => country.iso2));
    const wrong = codes.find((code) => !/^[A-Z]{2}$/.test(code));
    const unknown = codes.find((code) => !countries.has(code));
    if (codes.length < 2) errors.set('treaty-parties', t('console-error-treaty-parties'));
    else if (wrong !== undefined)
      errors.set('treaty-parties', t('console-error-country-code', { code: wrong }));
    else if (unknown !== undefined)
      errors.set('treaty-parties', t('console-error-country-unknown', { code: unknown }));
  }
  if (errors.size > 0) return { treaty: undefined, errors };
  return {
    treaty: {
      id: values.id,
      name: { en: values.nameEn, ...(values.nameRu === '' ? {} : { ru: values.nameRu }) },
      covers: values.covers,
      parties: values.partiesKind === 'all' ? 'all' : [...new Set(codes)],
    },
    errors,
  };
}

/** The form field a registry problem's path (relative to the treaty) belongs to. */
export function treatyFieldOfProblem(path: string): string {
  const section = path.split('/')[1] ?? '';
  if (section === 'id') return 'treaty-id';
  if (section === 'name') return path.includes('/ru') ? 'treaty-name-ru' : 'treaty-name-en';
  if (section === 'covers') return 'treaty-covers';
  return 'treaty-parties';
}

export function renderTreatiesList(context: PageContext, registry: RegistryFile): SafeHtml {
  const { t } = context;
  const competence = new Map(registry.competences.map((item) => [item.id, context.text(item.label)]));
  const rows = registry.treaties.map((treaty) => [
    html`<a href="/console/registry/treaties/${treaty.id}">${context.text(treaty.name)}</a>
      <div class="sub"><code>${treaty.id}</code></div>`,
    treaty.covers.map((id) => competence.get(id) ?? id).join(', '),
    treaty.parties === 'all'
      ? t('console-treaty-parties-all')
      : treaty.parties.map((code) => context.country(code)).join(', '),
  ]);
  return html`<p><a href="/console/registry">${t('console-back-to-registry')}</a></p>
    <p>${t('console-treaties-intro')}</p>
    <p class="actions">
      <a class="button button-primary" href="/console/registry/treaties/new">${t('console-treaty-add')}</a>
    </p>
    ${dataTable(context, {
      caption: t('console-treaties-title'),
      id: 'treaties-table',
      columns: [
        { label: t('console-col-name') },
        { label: t('console-treaty-covers') },
        { label: t('console-treaty-parties') },
      ],
      rows,
    })}`;
}

export function renderTreatyBody(
  context: PageContext,
  input: {
    registry: RegistryFile;
    /** The stored treaty; undefined for a new one. */
    treaty: TreatyRecord | undefined;
    values: TreatyFormValues;
    errors: TreatyFieldErrors;
    notice?: string | undefined;
  },
): SafeHtml {
  const { t } = context;
  const { values, errors, treaty } = input;
  const isNew = treaty === undefined;
  const message = (field: string) =>
    errors.has(field) ? html`<p class="field-error" id="${field}-error">${errors.get(field)}</p>` : '';
  const describe = (field: string, hint?: string) => {
    const ids = [hint, errors.has(field) ? `${field}-error` : undefined].filter(Boolean).join(' ');
    return ids === '' ? '' : html`aria-describedby="${ids}"`;
  };
  const invalid = (field: string) => attr('aria-invalid="true"', errors.has(field));
  const action = isNew ? '/console/registry/treaties' : `/console/registry/treaties/${treaty.id}`;
  return html`<div id="treaty-body">
    ${
      input.notice === undefined
        ? ''
        : html`<p class="notice notice-ok" role="status" tabindex="-1" data-focus>${input.notice}</p>`
    }
    <p><a href="/console/registry/treaties">${t('console-treaties-back')}</a></p>
    <form class="record-form" hx-post="${action}" hx-target="#treaty-body" hx-swap="outerHTML" novalidate>
      ${
        errors.size === 0
          ? ''
          : html`<div class="error-summary" role="alert" tabindex="-1" data-focus>
              <h2>${t('console-error-summary', { count: errors.size })}</h2>
              <ul>
                ${[...errors].map(([field, text]) => html`<li><a href="#${field}">${text}</a></li>`)}
              </ul>
            </div>`
      }
      <fieldset>
        <legend>${t('console-treaty-identity')}</legend>
        ${
          isNew
            ? html`<div class="field-group">
                <label for="treaty-id"
                  >${t('console-contact-id')} <span class="required">(${t('console-required')})</span></label
                >
                <p class="hint" id="treaty-id-hint">${t('console-treaty-id-hint')}</p>
                ${message('treaty-id')}
                <input
                  id="treaty-id"
                  name="id"
                  value="${values.id}"
                  maxlength="64"
                  autocomplete="off"
                  ${describe('treaty-id', 'treaty-id-hint')}
                  ${invalid('treaty-id')}
                />
              </div>`
            : html`<p>${t('console-contact-id')}: <code>${treaty.id}</code></p>`
        }
        <div class="field-group">
          <label for="treaty-name-en"
            >${t('console-field-name-en')} <span class="required">(${t('console-required')})</span></label
          >
          ${message('treaty-name-en')}
          <input
            id="treaty-name-en"
            name="name_en"
            value="${values.nameEn}"
            maxlength="300"
            ${describe('treaty-name-en')}
            ${invalid('treaty-name-en')}
          />
        </div>
        <div class="field-group">
          <label for="treaty-name-ru">${t('console-field-name-ru')}</label>
          ${message('treaty-name-ru')}
          <input
            id="treaty-name-ru"
            name="name_ru"
            value="${values.nameRu}"
            maxlength="300"
            lang="ru"
            ${describe('treaty-name-ru')}
            ${invalid('treaty-name-ru')}
          />
        </div>
      </fieldset>
      <fieldset id="treaty-covers" tabindex="-1" ${describe('treaty-covers')}>
        <legend>${t('console-treaty-covers')}</legend>
        ${message('treaty-covers')}
        ${competenceChecks(context, input.registry.competences, { name: 'covers', idPrefix: 'covers' }, values.covers)}
      </fieldset>
      <fieldset>
        <legend>${t('console-treaty-parties')}</legend>
        <div class="check">
          <input
            type="radio"
            id="parties-all"
            name="parties_kind"
            value="all"
            ${attr('checked', values.partiesKind === 'all')}
          />
          <label for="parties-all">${t('console-treaty-parties-all')}</label>
        </div>
        <div class="check">
          <input
            type="radio"
            id="parties-listed"
            name="parties_kind"
            value="listed"
            ${attr('checked', values.partiesKind !== 'all')}
          />
          <label for="parties-listed">${t('console-treaty-parties-listed')}</label>
        </div>
        <div class="field-group">
          <label for="treaty-parties">${t('console-treaty-parties-codes')}</label>
          <p class="hint" id="treaty-parties-hint">${t('console-treaty-parties-hint')}</p>
          ${message('treaty-parties')}
          <input
            id="treaty-parties"
            name="parties"
            value="${values.parties}"
            autocomplete="off"
            ${describe('treaty-parties', 'treaty-parties-hint')}
            ${invalid('treaty-parties')}
          />
        </div>
      </fieldset>
      <div class="actions">
        <button type="submit" class="button button-primary">
          ${isNew ? t('console-treaty-add') : t('console-save')}
        </button>
      </div>
    </form>
    ${
      isNew
        ? ''
        : html`<form
            class="danger-zone"
            hx-post="/console/registry/treaties/${treaty.id}/delete"
            hx-confirm="${t('console-treaty-confirm-delete', { name: context.text(treaty.name) })}"
          >
            <button type="submit" class="button button-danger">${t('console-treaty-delete')}</button>
          </form>`
    }
  </div>`;
}
