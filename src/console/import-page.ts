// /console/registry/import (admins): replace the whole registry with a registry file. "Check" is a
// dry run: every problem is listed with its JSON path, or the counts of what an import would
// create, change and remove; nothing changes until "Import" is pressed (and confirmed).
import type { ImportSummary } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import { html, type SafeHtml } from './html.ts';

export type ImportOutcome =
  | { kind: 'problems'; problems: { path: string; message: string }[]; dryRun: boolean }
  | { kind: 'not_json'; message: string }
  | { kind: 'empty' }
  | { kind: 'summary'; summary: ImportSummary; dryRun: boolean };

export function renderImportPage(
  context: PageContext,
  text: string,
  outcome: ImportOutcome | undefined,
): SafeHtml {
  const { t } = context;
  return html`<p><a href="/console/registry">${t('console-back-to-registry')}</a></p>
    <p>${t('console-import-intro')}</p>
    <form
      class="record-form"
      id="import-form"
      method="post"
      action="/console/registry/import"
      hx-post="/console/registry/import"
      hx-target="#import-result"
      hx-swap="outerHTML"
    >
      <div class="field-group">
        <label for="import-file">${t('console-import-file')}</label>
        <p class="hint" id="import-file-hint">${t('console-import-file-hint')}</p>
        <input
          id="import-file"
          type="file"
          accept="application/json,.json"
          data-load-into="import-text"
          aria-describedby="import-file-hint"
        />
      </div>
      <div class="field-group">
        <label for="import-text">${t('console-import-text')}</label>
        <textarea id="import-text" name="registry" rows="12" spellcheck="false" class="code">
${text}</textarea>
      </div>
      <div class="actions">
        <button type="submit" class="button button-primary" name="mode" value="check">
          ${t('console-import-check')}
        </button>
        <button
          type="submit"
          class="button button-danger"
          name="mode"
          value="import"
          hx-confirm="${t('console-import-confirm')}"
        >
          ${t('console-import-run')}
        </button>
      </div>
    </form>
    ${renderImportResult(context, outcome)}`;
}

export function renderImportResult(context: PageContext, outcome: ImportOutcome | undefined): SafeHtml {
  const { t } = context;
  if (outcome === undefined) return html`<section id="import-result" aria-live="polite"></section>`;
  const heading = (text: string, kind: 'ok' | 'error') =>
    html`<h2 class="notice notice-${kind}" tabindex="-1" data-focus>${text}</h2>`;
  switch (outcome.kind) {
    case 'empty':
      return html`<section id="import-result" aria-live="polite">
        ${heading(t('console-import-empty'), 'error')}
      </section>`;
    case 'not_json':
      return html`<section id="import-result" aria-live="polite">
        ${heading(t('console-import-not-json'), 'error')}
        <p><code>${outcome.message}</code></p>
      </section>`;
    case 'problems':
      return html`<section id="import-result" aria-live="polite">
        ${heading(t('console-import-problems', { count: outcome.problems.length }), 'error')}
        <p>${t('console-import-nothing-changed')}</p>
        <table class="data-table problems" id="import-problems">
          <caption class="visually-hidden">
            ${t('console-import-problems-caption')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('console-import-path')}</th>
              <th scope="col">${t('console-import-problem')}</th>
            </tr>
          </thead>
          <tbody>
            ${outcome.problems.map(
              (problem) =>
                html`<tr>
                  <td data-label="${t('console-import-path')}">
                    <code>${problem.path === '' ? '/' : problem.path}</code>
                  </td>
                  <td data-label="${t('console-import-problem')}">${problem.message}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`;
    case 'summary': {
      const { summary } = outcome;
      const sections = [
        'competences',
        'countries',
        'authorities',
        'contacts',
        'treaties',
        'requirements',
      ] as const;
      return html`<section id="import-result" aria-live="polite">
        ${heading(t(outcome.dryRun ? 'console-import-checked' : 'console-import-done'), 'ok')}
        <p>
          ${t(outcome.dryRun ? 'console-import-would' : 'console-import-did', {
            created: summary.created,
            updated: summary.updated,
            removed: summary.removed,
          })}
        </p>
        <table class="data-table" id="import-summary">
          <caption class="visually-hidden">
            ${t('console-import-sections')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('console-import-section')}</th>
              <th scope="col">${t('console-import-records')}</th>
            </tr>
          </thead>
          <tbody>
            ${sections.map(
              (section) =>
                html`<tr>
                  <td data-label="${t('console-import-section')}">
                    ${t(`console-import-section-${section}`)}
                  </td>
                  <td data-label="${t('console-import-records')}">${context.number(summary[section])}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`;
    }
  }
}
