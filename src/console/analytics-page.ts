// /console/analytics: how the network answers. Each figure is a chart with its numbers in a table
// beside it and a CSV download (the same figures as GET /v1/stats/...). A coordinator sees their
// country's rows and the network's aggregate; an admin any country, or all.
import type { StatsService } from '../stats/index.ts';
import type { PageContext } from './console-context.ts';
import { barChart, lineChart } from './charts.ts';
import { html, type HtmlValue, type SafeHtml } from './html.ts';
import { dataTable, link, selectField } from './page-parts.ts';

type Figures = {
  requests: Awaited<ReturnType<StatsService['requests']>>;
  consultations: Awaited<ReturnType<StatsService['consultations']>>;
  pending: Awaited<ReturnType<StatsService['pending']>>;
  registry: Awaited<ReturnType<StatsService['registry']>>;
  nudges: Awaited<ReturnType<StatsService['nudges']>>;
  deliveries: Awaited<ReturnType<StatsService['deliveries']>>;
};

export interface AnalyticsInput {
  figures: Figures;
  countries: readonly string[];
  competenceLabel: (id: string) => string;
  /** The query string of the period and country, for the CSV links. */
  query: { from?: string | undefined; to?: string | undefined; country?: string | undefined };
  admin: boolean;
}

/** One unit for a whole axis: days when the largest value is two days or more, else hours. */
function durationUnit(context: PageContext, seconds: readonly (number | null)[]) {
  const max = Math.max(0, ...seconds.map((value) => value ?? 0));
  const unit = max >= 2 * 86_400 ? 'day' : 'hour';
  const size = unit === 'day' ? 86_400 : 3_600;
  const format = new Intl.NumberFormat(context.locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  });
  return { format: (value: number) => format.format(value / size) };
}

const n = (context: PageContext, value: number) => html`<span class="number">${context.number(value)}</span>`;

function section(
  context: PageContext,
  input: { id: string; title: string; intro?: string; chart: SafeHtml; table: SafeHtml; csv: string },
): SafeHtml {
  return html`<section aria-labelledby="${input.id}-heading">
    <h2 id="${input.id}-heading">${input.title}</h2>
    ${input.intro === undefined ? '' : html`<p class="hint">${input.intro}</p>`}
    <div class="figure">
      ${input.chart}
      <div>
        ${input.table}
        <p><a href="${input.csv}" download>${context.t('console-download-csv')}</a></p>
      </div>
    </div>
  </section>`;
}

export function renderAnalytics(context: PageContext, input: AnalyticsInput): SafeHtml {
  const { t } = context;
  const { figures } = input;
  const csv = (name: string) => link(`/v1/stats/${name}`, { ...input.query, format: 'csv' });
  // A consultation of the secretariat (an admin of no country) has no asking country.
  const pair = (from: string | null, to: string | null) =>
    `${from ?? t('console-analytics-secretariat')} → ${to ?? '?'}`;
  const num = { className: 'number' };
  const networkLabel = html`<strong>${t('console-analytics-network')}</strong>`;

  // Formal requests by country pair and type.
  const requestRows = figures.requests.rows;
  const requestUnit = durationUnit(
    context,
    requestRows.flatMap((row) => [row.acknowledgeP90Seconds, row.executeP90Seconds]),
  );
  const requestTable = dataTable(context, {
    caption: t('console-analytics-requests'),
    id: 'table-requests',
    columns: [
      { label: t('console-analytics-pair') },
      { label: t('console-analytics-type') },
      { label: t('console-analytics-count'), ...num },
      { label: t('console-analytics-ack-median'), ...num },
      { label: t('console-analytics-ack-p90'), ...num },
      { label: t('console-analytics-exec-median'), ...num },
      { label: t('console-analytics-exec-p90'), ...num },
    ],
    rows: [...requestRows, ...(figures.requests.network === undefined ? [] : [figures.requests.network])].map(
      (row) => [
        row === figures.requests.network ? networkLabel : pair(row.fromCountry, row.toCountry),
        row.type === null ? '' : input.competenceLabel(row.type),
        n(context, row.requests),
        context.duration(row.acknowledgeMedianSeconds),
        context.duration(row.acknowledgeP90Seconds),
        context.duration(row.executeMedianSeconds),
        context.duration(row.executeP90Seconds),
      ],
    ),
  });
  const requestLabels = requestRows.map(
    (row) => `${pair(row.fromCountry, row.toCountry)} ${input.competenceLabel(row.type ?? '')}`,
  );

  const monthly = figures.requests.monthly;
  const monthlyUnit = durationUnit(
    context,
    monthly.map((row) => row.acknowledgeP90Seconds),
  );
  const consultRows = figures.consultations.rows;
  const consultUnit = durationUnit(
    context,
    consultRows.map((row) => row.p90Seconds),
  );
  const consultMonthly = figures.consultations.monthly;
  const consultMonthlyUnit = durationUnit(
    context,
    consultMonthly.map((row) => row.p90Seconds),
  );
  const percent = (value: number) => context.percent(value);

  const parts: SafeHtml[] = [
    section(context, {
      id: 'requests',
      title: t('console-analytics-requests'),
      intro: t('console-analytics-requests-intro'),
      chart: barChart({
        id: 'chart-requests',
        title: t('console-analytics-requests'),
        categories: requestLabels,
        series: [
          {
            name: t('console-analytics-ack-median'),
            values: requestRows.map((row) => row.acknowledgeMedianSeconds),
          },
          {
            name: t('console-analytics-exec-median'),
            values: requestRows.map((row) => row.executeMedianSeconds),
          },
        ],
        format: requestUnit.format,
      }),
      table: requestTable,
      csv: csv('requests'),
    }),
    section(context, {
      id: 'requests-monthly',
      title: t('console-analytics-requests-monthly'),
      chart: lineChart({
        id: 'chart-requests-monthly',
        title: t('console-analytics-requests-monthly'),
        categories: monthly.map((row) => row.month),
        series: [
          { name: t('console-analytics-median'), values: monthly.map((row) => row.acknowledgeMedianSeconds) },
          { name: t('console-analytics-p90'), values: monthly.map((row) => row.acknowledgeP90Seconds) },
        ],
        format: monthlyUnit.format,
      }),
      table: dataTable(context, {
        caption: t('console-analytics-requests-monthly'),
        id: 'table-requests-monthly',
        columns: [
          { label: t('console-analytics-month') },
          { label: t('console-analytics-count'), ...num },
          { label: t('console-analytics-median'), ...num },
          { label: t('console-analytics-p90'), ...num },
        ],
        rows: monthly.map((row) => [
          row.month,
          n(context, row.requests),
          context.duration(row.acknowledgeMedianSeconds),
          context.duration(row.acknowledgeP90Seconds),
        ]),
      }),
      csv: csv('requests'),
    }),
    section(context, {
      id: 'consultations',
      title: t('console-analytics-consultations'),
      intro: t('console-analytics-consultations-intro'),
      chart: barChart({
        id: 'chart-consultations',
        title: t('console-analytics-consultations'),
        categories: consultRows.map(
          (row) => `${pair(row.askerCountry, row.country)} ${input.competenceLabel(row.competence ?? '')}`,
        ),
        series: [
          { name: t('console-analytics-median'), values: consultRows.map((row) => row.medianSeconds) },
          { name: t('console-analytics-p90'), values: consultRows.map((row) => row.p90Seconds) },
        ],
        format: consultUnit.format,
      }),
      table: dataTable(context, {
        caption: t('console-analytics-consultations'),
        id: 'table-consultations',
        columns: [
          { label: t('console-analytics-pair') },
          { label: t('console-analytics-competence') },
          { label: t('console-analytics-count'), ...num },
          { label: t('console-analytics-answered'), ...num },
          { label: t('console-analytics-undeliverable'), ...num },
          { label: t('console-analytics-median'), ...num },
          { label: t('console-analytics-p90'), ...num },
        ],
        rows: [
          ...consultRows,
          ...(figures.consultations.network === undefined ? [] : [figures.consultations.network]),
        ].map((row) => [
          row === figures.consultations.network ? networkLabel : pair(row.askerCountry, row.country),
          row.competence === null ? '' : input.competenceLabel(row.competence),
          n(context, row.consultations),
          n(context, row.answered),
          n(context, row.undeliverable),
          context.duration(row.medianSeconds),
          context.duration(row.p90Seconds),
        ]),
      }),
      csv: csv('consultations'),
    }),
    section(context, {
      id: 'consultations-monthly',
      title: t('console-analytics-consultations-monthly'),
      chart: lineChart({
        id: 'chart-consultations-monthly',
        title: t('console-analytics-consultations-monthly'),
        categories: consultMonthly.map((row) => row.month),
        series: [
          { name: t('console-analytics-median'), values: consultMonthly.map((row) => row.medianSeconds) },
          { name: t('console-analytics-p90'), values: consultMonthly.map((row) => row.p90Seconds) },
        ],
        format: consultMonthlyUnit.format,
      }),
      table: dataTable(context, {
        caption: t('console-analytics-consultations-monthly'),
        id: 'table-consultations-monthly',
        columns: [
          { label: t('console-analytics-month') },
          { label: t('console-analytics-count'), ...num },
          { label: t('console-analytics-undeliverable'), ...num },
          { label: t('console-analytics-median'), ...num },
          { label: t('console-analytics-p90'), ...num },
        ],
        rows: consultMonthly.map((row) => [
          row.month,
          n(context, row.consultations),
          n(context, row.undeliverable),
          context.duration(row.medianSeconds),
          context.duration(row.p90Seconds),
        ]),
      }),
      csv: csv('consultations'),
    }),
    section(context, {
      id: 'pending',
      title: t('console-analytics-pending'),
      chart: barChart({
        id: 'chart-pending',
        title: t('console-analytics-pending'),
        categories: figures.pending.rows.map((row) => t('console-analytics-days', { range: row.bucket })),
        series: [
          {
            name: t('console-analytics-scope-mine'),
            values: figures.pending.rows.map((row) => row.requests),
          },
          ...(figures.pending.period.country === null
            ? []
            : [
                {
                  name: t('console-analytics-network'),
                  values: figures.pending.network.map((row) => row.requests),
                },
              ]),
        ],
        format: (value) => context.number(value, 1),
      }),
      table: dataTable(context, {
        caption: t('console-analytics-pending'),
        id: 'table-pending',
        columns: [
          { label: t('console-analytics-age') },
          { label: t('console-analytics-scope-mine'), ...num },
          { label: t('console-analytics-network'), ...num },
        ],
        rows: figures.pending.rows.map((row, index) => [
          t('console-analytics-days', { range: row.bucket }),
          n(context, row.requests),
          n(context, figures.pending.network[index]?.requests ?? 0),
        ]),
      }),
      csv: csv('pending'),
    }),
    section(context, {
      id: 'freshness',
      title: t('console-analytics-freshness'),
      intro: t('console-analytics-freshness-intro'),
      chart: barChart({
        id: 'chart-freshness',
        title: t('console-analytics-freshness'),
        categories: [
          ...figures.registry.rows.map((row) => context.country(row.country)),
          t('console-analytics-network'),
        ],
        series: [
          {
            name: t('console-analytics-share-6'),
            values: [...figures.registry.rows, figures.registry.network].map((row) => row.share6Months),
          },
          {
            name: t('console-analytics-share-12'),
            values: [...figures.registry.rows, figures.registry.network].map((row) => row.share12Months),
          },
        ],
        format: percent,
      }),
      table: dataTable(context, {
        caption: t('console-analytics-freshness'),
        id: 'table-freshness',
        columns: [
          { label: t('console-col-country') },
          { label: t('console-analytics-contacts'), ...num },
          { label: t('console-analytics-share-6'), ...num },
          { label: t('console-analytics-share-12'), ...num },
          { label: t('console-analytics-unlinked'), ...num },
          { label: t('console-analytics-unreachable'), ...num },
        ],
        rows: [...figures.registry.rows, figures.registry.network].map((row): HtmlValue[] => {
          const reach =
            row.country === 'network'
              ? figures.registry.networkReach
              : figures.registry.reach.find((item) => item.country === row.country);
          return [
            row.country === 'network' ? networkLabel : context.country(row.country),
            n(context, row.contacts),
            context.percent(row.share6Months),
            context.percent(row.share12Months),
            n(context, reach?.unlinked ?? 0),
            n(context, reach?.unreachable ?? 0),
          ];
        }),
      }),
      csv: csv('registry'),
    }),
    section(context, {
      id: 'freshness-monthly',
      title: t('console-analytics-freshness-monthly'),
      intro: t('console-analytics-freshness-monthly-intro'),
      chart: lineChart({
        id: 'chart-freshness-monthly',
        title: t('console-analytics-freshness-monthly'),
        categories: figures.registry.monthly.map((row) => row.month),
        series: [
          {
            name: t('console-analytics-share-6'),
            values: figures.registry.monthly.map((row) => row.share6Months),
          },
          {
            name: t('console-analytics-share-12'),
            values: figures.registry.monthly.map((row) => row.share12Months),
          },
        ],
        format: percent,
      }),
      table: dataTable(context, {
        caption: t('console-analytics-freshness-monthly'),
        id: 'table-freshness-monthly',
        columns: [
          { label: t('console-analytics-month') },
          { label: t('console-analytics-contacts'), ...num },
          { label: t('console-analytics-share-6'), ...num },
          { label: t('console-analytics-share-12'), ...num },
          { label: t('console-analytics-network-share-6'), ...num },
          { label: t('console-analytics-network-share-12'), ...num },
        ],
        rows: figures.registry.monthly.map((row, index) => {
          const network = figures.registry.networkMonthly[index];
          return [
            row.month,
            n(context, row.contacts),
            context.percent(row.share6Months),
            context.percent(row.share12Months),
            context.percent(network?.share6Months),
            context.percent(network?.share12Months),
          ];
        }),
      }),
      csv: link('/v1/stats/registry', { ...input.query, format: 'csv', series: 'monthly' }),
    }),
    section(context, {
      id: 'nudges',
      title: t('console-analytics-nudges'),
      chart: barChart({
        id: 'chart-nudges',
        title: t('console-analytics-nudges'),
        categories: figures.nudges.rows.map((row) => row.month),
        series: [
          { name: t('console-analytics-sent'), values: figures.nudges.rows.map((row) => row.sent) },
          { name: t('console-analytics-answers'), values: figures.nudges.rows.map((row) => row.answered) },
          { name: t('console-analytics-escalated'), values: figures.nudges.rows.map((row) => row.escalated) },
          {
            name: t('console-analytics-undeliverable'),
            values: figures.nudges.rows.map((row) => row.undeliverable),
          },
        ],
        format: (value) => context.number(value, 1),
      }),
      table: dataTable(context, {
        caption: t('console-analytics-nudges'),
        id: 'table-nudges',
        columns: [
          { label: t('console-analytics-month') },
          { label: t('console-analytics-sent'), ...num },
          { label: t('console-analytics-answers'), ...num },
          { label: t('console-analytics-escalated'), ...num },
          { label: t('console-analytics-undeliverable'), ...num },
        ],
        rows: [
          ...figures.nudges.rows.map((row) => [
            row.month,
            n(context, row.sent),
            n(context, row.answered),
            n(context, row.escalated),
            n(context, row.undeliverable),
          ]),
          [
            networkLabel,
            n(context, figures.nudges.network.sent),
            n(context, figures.nudges.network.answered),
            n(context, figures.nudges.network.escalated),
            n(context, figures.nudges.network.undeliverable),
          ],
        ],
      }),
      csv: csv('nudges'),
    }),
    section(context, {
      id: 'deliveries',
      title: t('console-analytics-deliveries'),
      intro: t('console-analytics-deliveries-intro'),
      chart: barChart({
        id: 'chart-deliveries',
        title: t('console-analytics-deliveries'),
        categories: figures.deliveries.rows.map((row) => row.kind),
        series: [
          { name: t('console-analytics-failed'), values: figures.deliveries.rows.map((row) => row.failed) },
          {
            name: t('console-analytics-uncertain'),
            values: figures.deliveries.rows.map((row) => row.uncertain),
          },
        ],
        format: (value) => context.number(value, 1),
      }),
      table: dataTable(context, {
        caption: t('console-analytics-deliveries'),
        id: 'table-deliveries',
        columns: [
          { label: t('console-analytics-kind') },
          { label: t('console-analytics-failed'), ...num },
          { label: t('console-analytics-uncertain'), ...num },
        ],
        rows: figures.deliveries.rows.map((row) => [
          row.kind,
          n(context, row.failed),
          n(context, row.uncertain),
        ]),
      }),
      csv: csv('deliveries'),
    }),
  ];

  return html`<form
      class="filters"
      method="get"
      action="/console/analytics"
      aria-label="${t('console-analytics-period')}"
    >
      <div class="field-group">
        <label for="period-from">${t('console-analytics-from')}</label>
        <input id="period-from" name="from" type="date" value="${input.query.from?.slice(0, 10) ?? ''}" />
      </div>
      <div class="field-group">
        <label for="period-to">${t('console-analytics-to')}</label>
        <input id="period-to" name="to" type="date" value="${input.query.to?.slice(0, 10) ?? ''}" />
      </div>
      ${
        input.admin
          ? selectField({
              id: 'period-country',
              name: 'country',
              label: t('console-filter-country'),
              options: [
                ['', t('console-analytics-all-countries')],
                ...input.countries.map((iso2) => [iso2, context.country(iso2)] as const),
              ],
              selected: input.query.country ?? '',
            })
          : ''
      }
      <div class="actions">
        <button type="submit" class="button button-primary">${t('console-filter-apply')}</button>
      </div>
    </form>
    <p class="hint">
      ${t('console-analytics-period-line', {
        from: context.date(figures.requests.period.from),
        to: context.date(figures.requests.period.to),
        scope:
          figures.requests.period.country === null
            ? t('console-analytics-all-countries')
            : context.country(figures.requests.period.country),
      })}
    </p>
    ${parts}`;
}
