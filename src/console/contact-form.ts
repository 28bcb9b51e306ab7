// The contact edit form: rendered from a record (or from what was typed, with each problem next to
// its field), and read back into the registry's change format. The registry validates the whole
// result again; its problems land next to the same fields.
import {
  channelProblem,
  commonChannelKinds,
  isKnownLanguage,
  type ContactChanges,
  type ContactRecord,
  type ReadableText,
  type RegistryFile,
} from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import { attr, html, type SafeHtml } from './html.ts';
import { competenceChecks } from './page-parts.ts';

/** What the form holds: strings as typed, so a wrong value can be shown back to be corrected. */
export interface ContactFormValues {
  nameEn: string;
  nameRu: string;
  /** English, or the one text of a title the registry gave as a plain string. */
  title: string;
  titleRu: string;
  authority: string;
  competences: string[];
  languages: string;
  channels: { kind: string; value: string }[];
  newChannelKind: string;
  newChannelValue: string;
  days: number[];
  start: string;
  end: string;
  status: string;
  awayStart: string;
  awayEnd: string;
  awayNote: string;
  awayNoteRu: string;
  deputy: string;
}

/** Field id -> message, shown next to the field (`aria-describedby`) and in the summary. */
export type FieldErrors = Map<string, string>;

const time = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const isoDate = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const channelKind = /^[a-z][a-z0-9_]{0,63}$/;

export function valuesOf(record: ContactRecord): ContactFormValues {
  const kinds = [
    ...Object.keys(record.channels),
    ...commonChannelKinds.filter((kind) => !(kind in record.channels)),
  ];
  return {
    nameEn: record.name.en ?? '',
    nameRu: record.name.ru ?? '',
    title: englishOf(record.title),
    titleRu: russianOf(record.title),
    authority: record.authority,
    competences: [...record.competences],
    languages: record.languages.join(', '),
    channels: kinds.map((kind) => ({ kind, value: record.channels[kind] ?? '' })),
    newChannelKind: '',
    newChannelValue: '',
    days: [...record.workingHours.days],
    start: record.workingHours.start,
    end: record.workingHours.end,
    status: record.status,
    awayStart: record.outOfOffice?.start ?? '',
    awayEnd: record.outOfOffice?.end ?? '',
    awayNote: englishOf(record.outOfOffice?.note),
    awayNoteRu: russianOf(record.outOfOffice?.note),
    deputy: record.deputy ?? '',
  };
}

const englishOf = (value: ReadableText | null | undefined): string =>
  value == null ? '' : typeof value === 'string' ? value : (value.en ?? '');
const russianOf = (value: ReadableText | null | undefined): string =>
  value == null || typeof value === 'string' ? '' : (value.ru ?? '');

/**
 * Back to the registry's form: text given as a plain string stays plain until a translation is
 * typed, so saving a form never rewrites a record nobody translated; other languages are kept.
 */
function readableFrom(
  before: ReadableText | null | undefined,
  english: string,
  russian: string,
): ReadableText {
  if (russian === '' && (before == null || typeof before === 'string')) return english;
  const next: Record<string, string> = { ...(before == null || typeof before === 'string' ? {} : before) };
  next.en = english;
  if (russian === '') delete next.ru;
  else next.ru = russian;
  return next;
}

type FormBody = Record<string, string | string[] | undefined>;

const one = (body: FormBody, name: string): string => {
  const value = body[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
};
const many = (body: FormBody, name: string): string[] => {
  const value = body[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) => item.trim());
};

/** What was submitted, as typed. */
export function valuesFromForm(body: FormBody): ContactFormValues {
  const kinds = many(body, 'channel_kind');
  const channelValues = many(body, 'channel_value');
  return {
    nameEn: one(body, 'name_en'),
    nameRu: one(body, 'name_ru'),
    title: one(body, 'title'),
    titleRu: one(body, 'title_ru'),
    authority: one(body, 'authority'),
    competences: many(body, 'competences'),
    languages: one(body, 'languages'),
    channels: kinds.map((kind, index) => ({ kind, value: channelValues[index] ?? '' })),
    newChannelKind: one(body, 'channel_new_kind').toLowerCase(),
    newChannelValue: one(body, 'channel_new_value'),
    days: many(body, 'days')
      .map(Number)
      .filter((day) => Number.isInteger(day) && day >= 1 && day <= 7),
    start: one(body, 'hours_start'),
    end: one(body, 'hours_end'),
    status: one(body, 'status'),
    awayStart: one(body, 'away_start'),
    awayEnd: one(body, 'away_end'),
    awayNote: one(body, 'away_note'),
    awayNoteRu: one(body, 'away_note_ru'),
    deputy: one(body, 'deputy'),
  };
}

/**
 * The changes the form asks for (only fields that differ from the record), or the problems that
 * keep it from being saved, each on its field.
 */
export function changesFrom(
  context: PageContext,
  values: ContactFormValues,
  record: ContactRecord,
  registry: RegistryFile,
): { changes: ContactChanges; errors: FieldErrors } {
  const { t } = context;
  const errors: FieldErrors = new Map();
  if (values.nameEn === '') errors.set('field-name-en', t('console-error-required'));
  if (values.title === '') errors.set('field-title', t('console-error-required'));
  const authority = registry.authorities.find((item) => item.id === values.authority);
  if (authority === undefined || authority.country !== record.country)
    errors.set('field-authority', t('console-error-choose'));
  const known = new Set(registry.competences.map((competence) => competence.id));
  if (values.competences.length === 0 || values.competences.some((id) => !known.has(id)))
    errors.set('field-competences', t('console-error-competences'));
  const languages = values.languages
    .split(/[\s,;]+/)
    .map((code) => code.toLowerCase())
    .filter(Boolean);
  const wrongLanguage = languages.find((code) => !/^[a-z]{2,3}$/.test(code) || !isKnownLanguage(code));
  if (languages.length === 0) errors.set('field-languages', t('console-error-required'));
  else if (wrongLanguage !== undefined)
    errors.set('field-languages', t('console-error-language', { code: wrongLanguage }));

  const channels: Record<string, string> = {};
  values.channels.forEach(({ kind, value }, index) => {
    if (!channelKind.test(kind) || value === '') return;
    const problem = channelProblem(kind, value);
    if (problem !== undefined) errors.set(`field-channel-${index}`, t(`console-error-channel-${problem}`));
    else channels[kind] = value;
  });
  if (values.newChannelValue !== '' || values.newChannelKind !== '') {
    if (!channelKind.test(values.newChannelKind))
      errors.set('field-channel-new-kind', t('console-error-channel-kind'));
    else if (values.newChannelValue === '')
      errors.set('field-channel-new-value', t('console-error-required'));
    else {
      const problem = channelProblem(values.newChannelKind, values.newChannelValue);
      if (problem !== undefined) errors.set('field-channel-new-value', t(`console-error-channel-${problem}`));
      else channels[values.newChannelKind] = values.newChannelValue;
    }
  }

  if (values.days.length === 0) errors.set('field-days', t('console-error-days'));
  if (!time.test(values.start)) errors.set('field-hours-start', t('console-error-time'));
  if (!time.test(values.end)) errors.set('field-hours-end', t('console-error-time'));
  else if (time.test(values.start) && values.end <= values.start)
    errors.set('field-hours-end', t('console-error-end-after-start'));

  if (!['active', 'retired', 'suspended'].includes(values.status))
    errors.set('field-status', t('console-error-choose'));

  let outOfOffice: ContactRecord['outOfOffice'] = null;
  if (
    values.awayStart !== '' ||
    values.awayEnd !== '' ||
    values.awayNote !== '' ||
    values.awayNoteRu !== ''
  ) {
    if (!isoDate.test(values.awayStart)) errors.set('field-away-start', t('console-error-date'));
    if (!isoDate.test(values.awayEnd)) errors.set('field-away-end', t('console-error-date'));
    else if (isoDate.test(values.awayStart) && values.awayEnd < values.awayStart)
      errors.set('field-away-end', t('console-error-until-after-from'));
    outOfOffice = {
      start: values.awayStart,
      end: values.awayEnd,
      ...(values.awayNote === '' && values.awayNoteRu === ''
        ? {}
        : { note: readableFrom(record.outOfOffice?.note, values.awayNote, values.awayNoteRu) }),
    };
  }
  if (values.deputy !== '') {
    const deputy = registry.contacts.find((contact) => contact.id === values.deputy);
    if (deputy === undefined || deputy.id === record.id || deputy.country !== record.country)
      errors.set('field-deputy', t('console-error-choose'));
  }

  const next: Omit<ContactRecord, 'id' | 'verifiedAt' | 'verifiedBy' | 'country'> = {
    name: { ...record.name, en: values.nameEn, ...(values.nameRu === '' ? {} : { ru: values.nameRu }) },
    title: readableFrom(record.title, values.title, values.titleRu),
    authority: values.authority,
    competences: values.competences,
    languages,
    channels,
    workingHours: { days: [...new Set(values.days)].sort(), start: values.start, end: values.end },
    status: values.status as ContactRecord['status'],
    outOfOffice,
    deputy: values.deputy === '' ? null : values.deputy,
  };
  if (values.nameRu === '') delete next.name.ru;
  const changes: ContactChanges = {};
  const before: Record<string, unknown> = {
    ...record,
    outOfOffice: record.outOfOffice ?? null,
    deputy: record.deputy ?? null,
  };
  for (const [field, value] of Object.entries(next)) {
    if (JSON.stringify(value) !== JSON.stringify(before[field]))
      (changes as Record<string, unknown>)[field] = value;
  }
  return { changes, errors };
}

/** Where a registry problem path (relative to the contact) shows in the form. */
export function fieldOfProblem(path: string, values: ContactFormValues): string {
  const [, field = '', sub = ''] = path.split('/');
  switch (field) {
    case 'name':
      return sub === 'ru' ? 'field-name-ru' : 'field-name-en';
    case 'channels': {
      const index = values.channels.findIndex((channel) => channel.kind === sub);
      return index >= 0 ? `field-channel-${index}` : 'field-channel-new-value';
    }
    case 'workingHours':
      return sub === 'days' ? 'field-days' : sub === 'start' ? 'field-hours-start' : 'field-hours-end';
    case 'outOfOffice':
      return sub === 'start'
        ? 'field-away-start'
        : sub === 'note'
          ? path.endsWith('/ru')
            ? 'field-away-note-ru'
            : 'field-away-note'
          : 'field-away-end';
    case 'title':
      return sub === 'ru' ? 'field-title-ru' : 'field-title';
    case 'authority':
    case 'competences':
    case 'languages':
    case 'status':
    case 'deputy':
      return `field-${field}`;
    default:
      return 'field-title';
  }
}

interface FormInput {
  record: ContactRecord;
  values: ContactFormValues;
  errors: FieldErrors;
  registry: RegistryFile;
}

export function renderContactForm(context: PageContext, input: FormInput): SafeHtml {
  const { t } = context;
  const { values, errors, record, registry } = input;
  const errorId = (field: string) => `${field}-error`;
  const describe = (field: string, hint?: string) => {
    const ids = [hint, errors.has(field) ? errorId(field) : undefined].filter(Boolean).join(' ');
    return ids === '' ? '' : html`aria-describedby="${ids}"`;
  };
  const invalid = (field: string) => attr('aria-invalid="true"', errors.has(field));
  const message = (field: string) =>
    errors.has(field) ? html`<p class="field-error" id="${errorId(field)}">${errors.get(field)}</p>` : '';
  const textInput = (
    field: string,
    name: string,
    label: string,
    value: string,
    extra?: { hint?: string; type?: string; required?: boolean; autocomplete?: string },
  ) =>
    html`<div class="field-group">
      <label for="${field}"
        >${label}${extra?.required === true ? html` <span class="required">(${t('console-required')})</span>` : ''}</label
      >
      ${extra?.hint === undefined ? '' : html`<p class="hint" id="${field}-hint">${extra.hint}</p>`}
      ${message(field)}
      <input
        id="${field}"
        name="${name}"
        type="${extra?.type ?? 'text'}"
        value="${value}"
        ${describe(field, extra?.hint === undefined ? undefined : `${field}-hint`)}
        ${invalid(field)}
        ${attr('required', extra?.required === true)}
        ${extra?.autocomplete === undefined ? '' : html`autocomplete="${extra.autocomplete}"`}
      />
    </div>`;
  const weekday = new Intl.DateTimeFormat(context.locale, { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday: ISO weekday n is that date plus n - 1 days.
  const dayName = (day: number) => weekday.format(new Date(Date.UTC(2024, 0, day)));
  const authorities = registry.authorities.filter((authority) => authority.country === record.country);
  const colleagues = registry.contacts.filter(
    (contact) =>
      contact.country === record.country &&
      contact.id !== record.id &&
      (contact.status === 'active' || contact.id === values.deputy),
  );
  const authorityName = new Map(
    registry.authorities.map((authority) => [authority.id, context.text(authority.name)]),
  );
  const summary =
    errors.size === 0
      ? ''
      : html`<div class="error-summary" role="alert" tabindex="-1" data-focus>
          <h2>${t('console-error-summary', { count: errors.size })}</h2>
          <ul>
            ${[...errors].map(([field, text]) => html`<li><a href="#${field}">${text}</a></li>`)}
          </ul>
        </div>`;
  return html`<form
    id="contact-form"
    class="record-form"
    hx-post="/console/registry/contacts/${record.id}"
    hx-target="#contact-body"
    hx-swap="outerHTML"
    novalidate
  >
    ${summary}
    <fieldset>
      <legend>${t('console-form-identity')}</legend>
      ${textInput('field-name-en', 'name_en', t('console-field-name-en'), values.nameEn, { required: true })}
      ${textInput('field-name-ru', 'name_ru', t('console-field-name-ru'), values.nameRu)}
      ${textInput('field-title', 'title', t('console-field-title'), values.title, { required: true })}
      ${textInput('field-title-ru', 'title_ru', t('console-field-title-ru'), values.titleRu)}
      <div class="field-group">
        <label for="field-authority">${t('console-field-authority')}</label>
        ${message('field-authority')}
        <select
          id="field-authority"
          name="authority"
          ${describe('field-authority')}
          ${invalid('field-authority')}
        >
          ${authorities.map(
            (authority) =>
              html`<option value="${authority.id}" ${attr('selected', authority.id === values.authority)}>
                ${context.text(authority.name)}
              </option>`,
          )}
        </select>
      </div>
      <div class="field-group">
        <label for="field-status">${t('console-field-status')}</label>
        ${message('field-status')}
        <select id="field-status" name="status" ${describe('field-status')} ${invalid('field-status')}>
          ${(['active', 'suspended', 'retired'] as const).map(
            (status) =>
              html`<option value="${status}" ${attr('selected', status === values.status)}>
                ${t(`console-status-${status}`)}
              </option>`,
          )}
        </select>
      </div>
    </fieldset>

    <fieldset id="field-competences" ${describe('field-competences')} tabindex="-1">
      <legend>${t('console-field-competences')}</legend>
      ${message('field-competences')}
      ${competenceChecks(context, registry.competences, { name: 'competences', idPrefix: 'competence' }, values.competences)}
    </fieldset>

    <fieldset>
      <legend>${t('console-form-reach')}</legend>
      ${textInput('field-languages', 'languages', t('console-field-languages'), values.languages, {
        hint: t('console-field-languages-hint'),
        required: true,
      })}
      ${values.channels.map(
        (channel, index) =>
          html`<div class="field-group">
            <input type="hidden" name="channel_kind" value="${channel.kind}" />
            <label for="field-channel-${index}"
              >${t(`console-channel-${channel.kind}`) === `console-channel-${channel.kind}` ? channel.kind : t(`console-channel-${channel.kind}`)}</label
            >
            ${message(`field-channel-${index}`)}
            <input
              id="field-channel-${index}"
              name="channel_value"
              value="${channel.value}"
              ${describe(`field-channel-${index}`)}
              ${invalid(`field-channel-${index}`)}
              ${channel.kind === 'phone' ? html`type="tel" autocomplete="off"` : channel.kind === 'email' ? html`type="email"` : html`type="text"`}
            />
          </div>`,
      )}
      <div class="field-pair">
        ${textInput(
          'field-channel-new-kind',
          'channel_new_kind',
          t('console-field-channel-new-kind'),
          values.newChannelKind,
          {
            hint: t('console-field-channel-new-kind-hint'),
          },
        )}
        ${textInput('field-channel-new-value', 'channel_new_value', t('console-field-channel-new-value'), values.newChannelValue)}
      </div>
      <p class="hint">${t('console-field-channels-hint')}</p>
    </fieldset>

    <fieldset>
      <legend>${t('console-form-hours')}</legend>
      <fieldset id="field-days" class="inline-checks" ${describe('field-days')} tabindex="-1">
        <legend>${t('console-field-days')}</legend>
        ${message('field-days')}
        ${[1, 2, 3, 4, 5, 6, 7].map(
          (day) =>
            html`<div class="check">
              <input
                type="checkbox"
                id="day-${day}"
                name="days"
                value="${day}"
                ${attr('checked', values.days.includes(day))}
              />
              <label for="day-${day}">${dayName(day)}</label>
            </div>`,
        )}
      </fieldset>
      <div class="field-pair">
        ${textInput('field-hours-start', 'hours_start', t('console-field-hours-start'), values.start, { type: 'time' })}
        ${textInput('field-hours-end', 'hours_end', t('console-field-hours-end'), values.end, { type: 'time' })}
      </div>
      <p class="hint">${t('console-field-hours-hint', { country: context.country(record.country) })}</p>
    </fieldset>

    <fieldset>
      <legend>${t('console-form-absence')}</legend>
      <p class="hint">${t('console-form-absence-hint')}</p>
      <div class="field-pair">
        ${textInput('field-away-start', 'away_start', t('console-field-away-start'), values.awayStart, { type: 'date' })}
        ${textInput('field-away-end', 'away_end', t('console-field-away-end'), values.awayEnd, { type: 'date' })}
      </div>
      ${textInput('field-away-note', 'away_note', t('console-field-away-note'), values.awayNote)}
      ${textInput('field-away-note-ru', 'away_note_ru', t('console-field-away-note-ru'), values.awayNoteRu)}
      <div class="field-group">
        <label for="field-deputy">${t('console-field-deputy')}</label>
        <p class="hint" id="field-deputy-hint">${t('console-field-deputy-hint')}</p>
        ${message('field-deputy')}
        <select
          id="field-deputy"
          name="deputy"
          ${describe('field-deputy', 'field-deputy-hint')}
          ${invalid('field-deputy')}
        >
          <option value="">${t('console-field-deputy-none')}</option>
          ${colleagues.map(
            (colleague) =>
              html`<option value="${colleague.id}" ${attr('selected', colleague.id === values.deputy)}>
                ${context.text(colleague.name)} ·
                ${authorityName.get(colleague.authority) ?? colleague.authority}
              </option>`,
          )}
        </select>
      </div>
    </fieldset>

    <div class="actions">
      <button type="submit" class="button button-primary">${t('console-save')}</button>
    </div>
  </form>`;
}
