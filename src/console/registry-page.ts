// /console/registry: the contacts of my country (a coordinator) or of all countries (an admin), as
// a table to sort, filter and search; every filter is in the address, so a view can be bookmarked.
import type { ContactRecord, RegistryFile, TodayIn } from '../registry/index.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './console-context.ts';
import {
  badge,
  checkbox,
  choiceParameter,
  dataTable,
  flagParameter,
  link,
  pageParameter,
  pagination,
  selectField,
  textParameter,
  type RawQuery,
} from './page-parts.ts';
import {
  buildRows,
  selectRows,
  sortKeys,
  type ContactLinkState,
  type RegistryQuery,
  type RegistryRow,
  type SortKey,
} from './registry-rows.ts';
import { isAdmin, ownCountryOf } from '../access/index.ts';

const statuses = ['active', 'all', 'retired', 'suspended'] as const;

export function parseRegistryQuery(context: PageContext, query: RawQuery): RegistryQuery {
  const country = textParameter(query, 'country', 2)?.toUpperCase();
  return {
    // A coordinator's registry is their country's, whatever the address says.
    country: isAdmin(context.principal) ? country : ownCountryOf(context.principal),
    competence: textParameter(query, 'competence', 64),
    status: choiceParameter(query, 'status', statuses, 'active'),
    stale: flagParameter(query, 'stale'),
    away: flagParameter(query, 'away'),
    unreachable: flagParameter(query, 'unreachable'),
    unlinked: flagParameter(query, 'unlinked'),
    q: textParameter(query, 'q', 100) ?? '',
    sort: choiceParameter(query, 'sort', sortKeys, 'name'),
    direction: choiceParameter(query, 'dir', ['ascending', 'descending'] as const, 'ascending'),
    page: pageParameter(query),
  };
}

const queryParameters = (query: RegistryQuery, admin: boolean) => ({
  q: query.q,
  country: admin ? query.country : undefined,
  competence: query.competence,
  status: query.status === 'active' ? undefined : query.status,
  stale: query.stale,
  away: query.away,
  unreachable: query.unreachable,
  unlinked: query.unlinked,
  sort: query.sort === 'name' ? undefined : query.sort,
  dir: query.direction === 'ascending' ? undefined : query.direction,
});

export interface RegistryPageData {
  file: RegistryFile;
  links: ReadonlyMap<string, ContactLinkState>;
  /** A country's date today (`RegistryService.todayIn`). */
  todayIn: TodayIn;
}

export function renderRegistryPage(
  context: PageContext,
  query: RegistryQuery,
  data: RegistryPageData,
): SafeHtml {
  const { t } = context;
  const admin = isAdmin(context.principal);
  const authorities = new Map(data.file.authorities.map((authority) => [authority.id, authority]));
  const authorityName = (id: string) => context.text(authorities.get(id)?.name) || id;
  const contactName = (record: ContactRecord) => context.text(record.name);
  const rows = buildRows(data.file.contacts, data.links, data.todayIn);
  const selection = selectRows(rows, query, { authority: authorityName, contact: contactName });
  const parameters = queryParameters(query, admin);
  const sortHref = (key: SortKey) =>
    link('/console/registry', {
      ...parameters,
      sort: key === 'name' ? undefined : key,
      dir: query.sort === key && query.direction === 'ascending' ? 'descending' : undefined,
    });
  const sortState = (key: SortKey) => (query.sort === key ? query.direction : undefined);
  const columns = [
    { label: t('console-col-name'), sort: { href: sortHref('name'), current: sortState('name') } },
    ...(admin
      ? [
          {
            label: t('console-col-country'),
            sort: { href: sortHref('country'), current: sortState('country') },
          },
        ]
      : []),
    {
      label: t('console-col-authority'),
      sort: { href: sortHref('authority'), current: sortState('authority') },
    },
    { label: t('console-col-competences') },
    { label: t('console-col-status'), sort: { href: sortHref('status'), current: sortState('status') } },
    {
      label: t('console-col-verified'),
      sort: { href: sortHref('verified'), current: sortState('verified') },
    },
    { label: t('console-col-reach') },
  ];
  const competenceLabel = new Map(
    data.file.competences.map((competence) => [competence.id, context.text(competence.label)]),
  );
  const tableRows = selection.items.map((row) => [
    html`<a href="/console/registry/contacts/${row.record.id}">${contactName(row.record)}</a>
      <div class="sub">${context.text(row.record.title)}</div>`,
    ...(admin ? [context.country(row.record.country)] : []),
    authorityName(row.record.authority),
    row.record.competences.map((id) => competenceLabel.get(id) ?? id).join(', '),
    statusBadges(context, row),
    html`${context.date(row.record.verifiedAt)} ${row.stale ? badge(t('console-badge-stale'), 'warn') : ''}`,
    reachBadges(context, row),
  ]);
  const countries = data.file.countries.map(
    (country) => [country.iso2, context.country(country.iso2)] as const,
  );
  return html`
    ${admin ? adminTools(context) : ''}
    <form
      class="filters"
      method="get"
      action="/console/registry"
      role="search"
      aria-label="${t('console-registry-filters')}"
    >
      <div class="field-group grow">
        <label for="filter-q">${t('console-filter-search')}</label>
        <input
          id="filter-q"
          name="q"
          type="search"
          value="${query.q}"
          maxlength="100"
          aria-describedby="filter-q-hint"
        />
        <p class="hint" id="filter-q-hint">${t('console-filter-search-hint')}</p>
      </div>
      ${
        admin
          ? selectField({
              id: 'filter-country',
              name: 'country',
              label: t('console-filter-country'),
              options: [['', t('console-filter-any')], ...countries],
              selected: query.country ?? '',
            })
          : ''
      }
      ${selectField({
        id: 'filter-competence',
        name: 'competence',
        label: t('console-filter-competence'),
        options: [['', t('console-filter-any')], ...competenceLabel.entries()],
        selected: query.competence ?? '',
      })}
      ${selectField({
        id: 'filter-status',
        name: 'status',
        label: t('console-filter-status'),
        options: statuses.map((status) => [status, t(`console-status-${status}`)] as const),
        selected: query.status,
      })}
      <fieldset class="checks">
        <legend>${t('console-filter-only')}</legend>
        ${checkbox({ id: 'filter-stale', name: 'stale', label: t('console-filter-stale'), checked: query.stale })}
        ${checkbox({ id: 'filter-away', name: 'away', label: t('console-filter-away'), checked: query.away })}
        ${checkbox({
          id: 'filter-unreachable',
          name: 'unreachable',
          label: t('console-filter-unreachable'),
          checked: query.unreachable,
        })}
        ${checkbox({ id: 'filter-unlinked', name: 'unlinked', label: t('console-filter-unlinked'), checked: query.unlinked })}
      </fieldset>
      <input type="hidden" name="sort" value="${query.sort === 'name' ? '' : query.sort}" />
      <div class="actions">
        <button type="submit" class="button button-primary">${t('console-filter-apply')}</button>
        <a href="/console/registry" class="button button-quiet">${t('console-filter-clear')}</a>
      </div>
    </form>
    <p class="result-count" id="result-count">${t('console-registry-count', { count: selection.total })}</p>
    ${dataTable(context, { caption: t('console-registry-caption'), columns, rows: tableRows, id: 'registry-table' })}
    ${pagination(context, {
      page: Math.min(query.page, selection.pages),
      pages: selection.pages,
      href: (page) => link('/console/registry', { ...parameters, page: page === 1 ? undefined : page }),
    })}
  `;
}

function statusBadges(context: PageContext, row: RegistryRow): SafeHtml {
  const { t } = context;
  const status = row.record.status;
  return html`${badge(t(`console-status-${status}`), status === 'active' ? 'ok' : status === 'retired' ? 'quiet' : 'warn')}
  ${
    row.away
      ? badge(t('console-badge-away-until', { date: context.date(row.record.outOfOffice?.end) }), 'info')
      : ''
  }`;
}

function reachBadges(context: PageContext, row: RegistryRow): SafeHtml {
  const { t } = context;
  if (!row.linked) return badge(t('console-badge-unlinked'), 'warn');
  if (row.unreachable) return badge(t('console-badge-unreachable'), 'bad');
  return badge(t('console-badge-linked'), 'ok');
}

function adminTools(context: PageContext): SafeHtml {
  const { t } = context;
  return html`<nav class="tools" aria-label="${t('console-registry-tools')}">
    <ul>
      <li><a href="/console/registry/treaties">${t('console-registry-treaties')}</a></li>
      <li><a href="/console/registry/import">${t('console-registry-import')}</a></li>
      <li><a href="/console/registry/export" download>${t('console-registry-export')}</a></li>
    </ul>
  </nav>`;
}
