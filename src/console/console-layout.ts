// The frame of every stewardship page: skip link, navigation by role, language switch, the live
// region that announces what an action did, and the one script and style sheet (all served by this
// server; the Content-Security-Policy allows nothing inline).
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './console-context.ts';
import { hasRole, type Role } from '../access/index.ts';

export type Section =
  'registry' | 'members' | 'requests' | 'consultations' | 'analytics' | 'audit' | 'chat' | 'none';

const navigation: { section: Section; href: string; label: string; minimum: Role }[] = [
  { section: 'chat', href: '/', label: 'console-nav-chat', minimum: 'member' },
  { section: 'registry', href: '/console/registry', label: 'console-nav-registry', minimum: 'coordinator' },
  { section: 'members', href: '/console/members', label: 'console-nav-members', minimum: 'coordinator' },
  { section: 'requests', href: '/console/requests', label: 'console-nav-requests', minimum: 'coordinator' },
  {
    section: 'consultations',
    href: '/console/consultations',
    label: 'console-nav-consultations',
    minimum: 'coordinator',
  },
  {
    section: 'analytics',
    href: '/console/analytics',
    label: 'console-nav-analytics',
    minimum: 'coordinator',
  },
  { section: 'audit', href: '/console/audit', label: 'console-nav-audit', minimum: 'admin' },
];

/**
 * htmx settings (read from this meta element, so no inline script): no eval, no script tags in
 * responses, no injected indicator styles and no settling of `style` attributes (both would need
 * 'unsafe-inline': Chromium refuses every `setAttribute('style', …)` under our policy); error
 * responses are swapped too, since the server renders them as messages for the reader.
 */
const htmxConfig = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  attributesToSettle: ['class', 'width', 'height'],
  selfRequestsOnly: true,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true },
  ],
});

/** The same page in another language: the current address with `lang` set. */
function withLanguage(url: string, lang: string): string {
  const [path = '/', query = ''] = url.split('?');
  const parameters = new URLSearchParams(query);
  parameters.set('lang', lang);
  return `${path}?${parameters.toString()}`;
}

export interface LayoutInput {
  section: Section;
  title: string;
  body: SafeHtml;
  /** Shown in the live region when the page loads (e.g. after a redirect). */
  notice?: string | undefined;
}

export function renderLayout(context: PageContext, input: LayoutInput): string {
  const { t, principal, locale } = context;
  const links = navigation.filter((item) => hasRole(principal.role, item.minimum));
  const page = html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="htmx-config" content="${htmxConfig}" />
        <title>${input.title} · ${t('console-title')}</title>
        <link rel="icon" href="/console/assets/icon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/console/static/stewardship.css" />
        <script src="/console/static/htmx.min.js" defer></script>
        <script type="module" src="/console/static/stewardship.js"></script>
      </head>
      <body hx-headers='{"x-counterpart-csrf": "1"}' data-error-network="${t('console-error-network')}">
        <a class="skip-link" href="#main">${t('console-skip-to-content')}</a>
        <header class="topbar">
          <a class="brand" href="/console/registry">
            <img src="/console/assets/icon.svg" alt="" width="28" height="28" />
            <span>Counterpart</span>
          </a>
          <nav class="sections" aria-label="${t('console-nav-label')}">
            <ul>
              ${links.map(
                (item) =>
                  html`<li>
                    <a href="${item.href}" ${item.section === input.section ? html`aria-current="page"` : ''}
                      >${t(item.label)}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
          <nav class="languages" aria-label="${t('console-language-label')}">
            <a
              href="${withLanguage(context.url, 'en')}"
              lang="en"
              hreflang="en"
              ${locale === 'en' ? html`aria-current="true"` : ''}
              >English</a
            >
            <a
              href="${withLanguage(context.url, 'ru')}"
              lang="ru"
              hreflang="ru"
              ${locale === 'ru' ? html`aria-current="true"` : ''}
              >Русский</a
            >
          </nav>
          <div class="account">
            <span class="whoami"
              >${t('console-signed-in-as', {
                name: principal.name,
                role: t(`console-role-${principal.role}`),
                country: context.country(principal.country),
              })}</span
            >
            <button type="button" class="button button-quiet" data-logout>${t('console-logout')}</button>
          </div>
        </header>
        <main id="main" tabindex="-1">
          <h1 id="page-title">${input.title}</h1>
          <div id="flash" class="flash" role="status" aria-live="polite">${input.notice ?? ''}</div>
          ${input.body}
        </main>
      </body>
    </html>`;
  return page.value;
}

/** A fragment that replaces the live region out of band, announcing what an action did. */
export const flash = (message: string, kind: 'ok' | 'error' = 'ok'): SafeHtml =>
  html`<div id="flash" class="flash flash-${kind}" role="status" aria-live="polite" hx-swap-oob="true">
    <p>${message}</p>
  </div>`;
