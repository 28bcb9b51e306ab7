// Pieces several stewardship pages share: tables that become lists on a phone, sortable column
// headers, pagination, badges, and reading GET parameters.
import { attr, html, type HtmlValue, type SafeHtml } from './html.ts';
import type { PageContext } from './console-context.ts';
import type { RegistryFile } from '../registry/index.ts';

/** Query parameters as strings (Fastify gives string | string[] | undefined). */
export type RawQuery = Record<string, unknown>;

export const textParameter = (query: RawQuery, name: string, maxLength = 200): string | undefined => {
  const value = query[name];
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim().slice(0, maxLength);
  return trimmed === '' ? undefined : trimmed;
};

export const flagParameter = (query: RawQuery, name: string): boolean => {
  const value = textParameter(query, name);
  return value === '1' || value === 'true' || value === 'on';
};

export function choiceParameter<T extends string>(
  query: RawQuery,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = textParameter(query, name);
  return (choices as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

export const pageParameter = (query: RawQuery): number => {
  const value = Number(textParameter(query, 'page') ?? '1');
  return Number.isInteger(value) && value > 0 ? Math.min(value, 100_000) : 1;
};

/** `path?a=1&b=2` from the parameters that have a value. */
export function link(
  path: string,
  parameters: Record<string, string | number | boolean | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || value === false || value === '') continue;
    search.set(key, value === true ? '1' : String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}

export interface Column {
  label: string;
  /** Set when the column sorts: the link and whether it is the current sort. */
  sort?: { href: string; current: 'ascending' | 'descending' | undefined };
  className?: string;
}

/**
 * A data table with real headers (a screen reader names each cell by its column); on a narrow
 * screen the rows become cards, each cell labelled from `data-label`.
 */
export function dataTable(
  context: PageContext,
  input: {
    caption: string;
    columns: readonly Column[];
    rows: readonly (readonly HtmlValue[])[];
    id?: string;
  },
): SafeHtml {
  const { t } = context;
  // The wrapper scrolls sideways when a table is wider than the screen; keyboard users scroll it
  // once it has the focus, so it is a named, focusable region.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${input.caption}">
    <table class="data-table" role="table" ${input.id === undefined ? '' : html`id="${input.id}"`}>
      <caption class="visually-hidden">
        ${input.caption}
      </caption>
      <thead role="rowgroup">
        <tr role="row">
          ${input.columns.map(
            (column) =>
              html`<th
                scope="col"
                role="columnheader"
                ${column.sort?.current === undefined ? '' : html`aria-sort="${column.sort.current}"`}
                class="${column.className ?? ''}"
              >
                ${
                  column.sort === undefined
                    ? column.label
                    : html`<a href="${column.sort.href}"
                        >${column.label}<span class="sort-mark" aria-hidden="true"
                          >${column.sort.current === 'ascending' ? ' ▲' : column.sort.current === 'descending' ? ' ▼' : ''}</span
                        ><span class="visually-hidden"
                          >${
                            column.sort.current === undefined
                              ? ''
                              : `, ${t(column.sort.current === 'ascending' ? 'console-sorted-ascending' : 'console-sorted-descending')}`
                          }</span
                        ></a
                      >`
                }
              </th>`,
          )}
        </tr>
      </thead>
      <tbody role="rowgroup">
        ${
          input.rows.length === 0
            ? html`<tr role="row">
                <td role="cell" colspan="${input.columns.length}" class="empty">
                  ${t('console-nothing-found')}
                </td>
              </tr>`
            : input.rows.map(
                (cells) =>
                  html`<tr role="row">
                    ${cells.map(
                      (cell, index) =>
                        html`<td
                          role="cell"
                          data-label="${input.columns[index]?.label ?? ''}"
                          class="${input.columns[index]?.className ?? ''}"
                        >
                          ${cell}
                        </td>`,
                    )}
                  </tr>`,
              )
        }
      </tbody>
    </table>
  </div>`;
}

export function pagination(
  context: PageContext,
  input: { page: number; pages: number; href: (page: number) => string },
): SafeHtml {
  if (input.pages <= 1) return html``;
  const { t } = context;
  return html`<nav class="pagination" aria-label="${t('console-pages-label')}">
    ${input.page > 1 ? html`<a href="${input.href(input.page - 1)}" rel="prev">${t('console-page-previous')}</a>` : ''}
    <span>${t('console-page-of', { page: input.page, pages: input.pages })}</span>
    ${
      input.page < input.pages
        ? html`<a href="${input.href(input.page + 1)}" rel="next">${t('console-page-next')}</a>`
        : ''
    }
  </nav>`;
}

export const badge = (text: string, kind: 'ok' | 'warn' | 'bad' | 'info' | 'quiet'): SafeHtml =>
  html`<span class="badge badge-${kind}">${text}</span>`;

/** A labelled select; `options` are [value, label]. */
export function selectField(input: {
  id: string;
  name: string;
  label: string;
  options: readonly (readonly [string, string])[];
  selected: string | undefined;
  describedBy?: string;
  invalid?: boolean;
}): SafeHtml {
  return html`<div class="field-group">
    <label for="${input.id}">${input.label}</label>
    <select
      id="${input.id}"
      name="${input.name}"
      ${input.describedBy === undefined ? '' : html`aria-describedby="${input.describedBy}"`}
      ${attr('aria-invalid="true"', input.invalid === true)}
    >
      ${input.options.map(
        ([value, label]) =>
          html`<option value="${value}" ${attr('selected', value === input.selected)}>${label}</option>`,
      )}
    </select>
  </div>`;
}

export const checkbox = (input: {
  id: string;
  name: string;
  label: string;
  checked: boolean;
  value?: string;
}): SafeHtml =>
  html`<div class="check">
    <input
      type="checkbox"
      id="${input.id}"
      name="${input.name}"
      value="${input.value ?? '1'}"
      ${attr('checked', input.checked)}
    />
    <label for="${input.id}">${input.label}</label>
  </div>`;

/** One checkbox per competence of the registry, those in `selected` ticked (contact and treaty forms). */
export function competenceChecks(
  context: Pick<PageContext, 'text'>,
  competences: RegistryFile['competences'],
  field: { name: string; idPrefix: string },
  selected: readonly string[],
): SafeHtml {
  return html`<div class="check-grid">
    ${competences.map(
      (competence) =>
        html`<div class="check">
          <input
            type="checkbox"
            id="${field.idPrefix}-${competence.id}"
            name="${field.name}"
            value="${competence.id}"
            ${attr('checked', selected.includes(competence.id))}
          />
          <label for="${field.idPrefix}-${competence.id}">${context.text(competence.label)}</label>
        </div>`,
    )}
  </div>`;
}
