// Route of the analytics page: the period and country from the address, the figures from the
// statistics service (which applies the reader's role), rendered as charts and tables.
import type { RegistryService } from '../registry/index.ts';
import type { StatsService } from '../stats/index.ts';
import { renderAnalytics } from './analytics-page.ts';
import type { ConsoleShared } from './console-plugin.ts';
import { textParameter } from './page-parts.ts';
import { isAdmin } from '../access/index.ts';
import type { App } from '../http/index.ts';

export interface AnalyticsPagesDeps {
  stats: StatsService;
  registry: RegistryService;
}

const dateOf = (text: string | undefined, endOfDay: boolean): Date | undefined => {
  if (text === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const date = new Date(`${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

export function analyticsPages(deps: AnalyticsPagesDeps) {
  return (app: App, { pageContext, sendPage }: ConsoleShared) => {
    app.get('/console/analytics', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'coordinator');
      const raw = request.query as Record<string, unknown>;
      const from = dateOf(textParameter(raw, 'from', 10), false);
      const to = dateOf(textParameter(raw, 'to', 10), true);
      const admin = isAdmin(context.principal);
      const country = admin ? textParameter(raw, 'country', 2)?.toUpperCase() : undefined;
      const query = { from, to, country };
      const principal = context.principal;
      const [requests, consultations, pending, registry, nudges, deliveries] = await Promise.all([
        deps.stats.requests(principal, query),
        deps.stats.consultations(principal, query),
        deps.stats.pending(principal, query),
        deps.stats.registry(principal, query),
        deps.stats.nudges(principal, query),
        deps.stats.deliveries(principal, query),
      ]);
      const file = deps.registry.view().file;
      const labels = new Map(
        file.competences.map((competence) => [competence.id, context.text(competence.label)]),
      );
      const body = renderAnalytics(context, {
        figures: { requests, consultations, pending, registry, nudges, deliveries },
        countries: file.countries.map((item) => item.iso2),
        competenceLabel: (id) => labels.get(id) ?? id,
        query: { from: from?.toISOString(), to: to?.toISOString(), country },
        admin,
      });
      return sendPage(reply, context, {
        section: 'analytics',
        title: context.t('console-analytics-title'),
        body,
      });
    });
  };
}
