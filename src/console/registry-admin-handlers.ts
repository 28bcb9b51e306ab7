// Routes of the secretariat's registry pages: treaties (list, add, change, remove), the import
// with its dry run, and the export as a download. Admins only; the registry service checks the
// role again and audits every change like the REST API's.
import { type Clock, systemClock } from '../clock/index.ts';
import { Type } from 'typebox';
import { multilineText } from '../text/index.ts';
import { importBodyLimitBytes, type RegistryService, type TreatyRecord } from '../registry/index.ts';
import type { PageContext } from './console-context.ts';
import type { ConsoleShared } from './console-plugin.ts';
import { renderImportPage, renderImportResult, type ImportOutcome } from './import-page.ts';
import {
  renderTreatiesList,
  renderTreatyBody,
  treatyFieldOfProblem,
  treatyFromForm,
  treatyValuesFromForm,
  treatyValuesOf,
  type TreatyFieldErrors,
  type TreatyFormValues,
} from './treaties-page.ts';
import { AppError } from '../errors/index.ts';
import type { App } from '../http/index.ts';

export interface RegistryAdminPagesDeps {
  registry: RegistryService;
  clock?: Clock;
}

type FormBody = Record<string, string | string[] | undefined>;

/** Validation problems of a registry write, each with its JSON path, when that is what failed. */
export function validationProblems(error: unknown): { path: string; message: string }[] | undefined {
  if (!(error instanceof AppError) || error.code !== 'validation_failed' || !Array.isArray(error.details))
    return undefined;
  return (error.details as unknown[]).flatMap((problem) =>
    typeof problem === 'object' &&
    problem !== null &&
    typeof (problem as { path?: unknown }).path === 'string' &&
    typeof (problem as { message?: unknown }).message === 'string'
      ? [problem as { path: string; message: string }]
      : [],
  );
}

/**
 * An import refused for what it would do rather than for the file's form (contacts still holding
 * open work, a member's contact removed): the reason, then each record it names, listed like the
 * file's problems, so Check and Import say which contacts and what they hold.
 */
function refusalProblems(error: unknown): { path: string; message: string }[] | undefined {
  if (!(error instanceof AppError) || error.code !== 'conflict' || !Array.isArray(error.details))
    return undefined;
  const named = (error.details as unknown[]).flatMap((problem) =>
    typeof problem === 'object' &&
    problem !== null &&
    typeof (problem as { path?: unknown }).path === 'string' &&
    typeof (problem as { message?: unknown }).message === 'string'
      ? [problem as { path: string; message: string }]
      : [],
  );
  return [{ path: '', message: error.message }, ...named];
}

export function registryAdminPages(deps: RegistryAdminPagesDeps) {
  const { registry } = deps;
  const clock = deps.clock ?? systemClock;
  const treaty = (id: string): TreatyRecord => {
    const found = registry.view().treatyRecordById.get(id);
    if (found === undefined) throw new AppError('not_found', `treaty ${JSON.stringify(id)} does not exist`);
    return found;
  };

  return (app: App, { pageContext, sendPage, sendFragment }: ConsoleShared) => {
    app.get('/console/registry/treaties', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      return sendPage(reply, context, {
        section: 'registry',
        title: context.t('console-treaties-title'),
        body: renderTreatiesList(context, registry.view().file),
      });
    });

    app.get('/console/registry/treaties/:id', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const id = (request.params as { id: string }).id;
      const stored = id === 'new' ? undefined : treaty(id);
      return sendPage(reply, context, {
        section: 'registry',
        title: stored === undefined ? context.t('console-treaty-add') : context.text(stored.name),
        body: renderTreatyBody(context, {
          registry: registry.view().file,
          treaty: stored,
          values: treatyValuesOf(stored),
          errors: new Map(),
        }),
      });
    });

    /** Saves a treaty from the form; problems (ours or the registry's) land next to their fields. */
    const save = async (context: PageContext, stored: TreatyRecord | undefined, body: FormBody) => {
      const file = registry.view().file;
      const values: TreatyFormValues = {
        ...treatyValuesFromForm(body),
        ...(stored === undefined ? {} : { id: stored.id }),
      };
      const { treaty: next, errors } = treatyFromForm(context, values, file, stored === undefined);
      const render = (current: TreatyRecord | undefined, fieldErrors: TreatyFieldErrors, notice?: string) =>
        renderTreatyBody(context, {
          registry: registry.view().file,
          treaty: current,
          values: fieldErrors.size === 0 && current !== undefined ? treatyValuesOf(current) : values,
          errors: fieldErrors,
          notice,
        });
      if (next === undefined) return { status: 422, fragment: render(stored, errors) };
      try {
        if (stored === undefined) {
          const created = await registry.createTreaty(context.principal, next);
          return {
            status: 200,
            pushUrl: `/console/registry/treaties/${created.id}`,
            fragment: render(created, new Map(), context.t('console-treaty-created')),
          };
        }
        const { id: _id, ...changes } = next;
        const saved = await registry.updateTreaty(context.principal, stored.id, changes);
        return { status: 200, fragment: render(saved, new Map(), context.t('console-treaty-saved')) };
      } catch (error) {
        const problems = validationProblems(error);
        if (problems === undefined) throw error;
        const fieldErrors: TreatyFieldErrors = new Map();
        for (const problem of problems) {
          const field = treatyFieldOfProblem(problem.path);
          if (!fieldErrors.has(field)) fieldErrors.set(field, problem.message);
        }
        return { status: 422, fragment: render(stored, fieldErrors) };
      }
    };

    app.post('/console/registry/treaties', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const result = await save(context, undefined, (request.body ?? {}) as FormBody);
      if (result.pushUrl !== undefined) void reply.header('hx-push-url', result.pushUrl);
      return sendFragment(reply, result.fragment, result.status);
    });

    app.post('/console/registry/treaties/:id', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const stored = treaty((request.params as { id: string }).id);
      const result = await save(context, stored, (request.body ?? {}) as FormBody);
      return sendFragment(reply, result.fragment, result.status);
    });

    app.post('/console/registry/treaties/:id/delete', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const stored = treaty((request.params as { id: string }).id);
      await registry.deleteTreaty(context.principal, stored.id);
      return reply.code(204).header('hx-redirect', '/console/registry/treaties').send();
    });

    app.get('/console/registry/import', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      return sendPage(reply, context, {
        section: 'registry',
        title: context.t('console-registry-import'),
        body: renderImportPage(context, '', undefined),
      });
    });

    // A registry file as form text is larger than the file (URL encoding), hence the higher limit.
    app.post(
      '/console/registry/import',
      {
        // The file's text spans lines; the edge's text rules refuse line breaks elsewhere.
        schema: {
          hide: true,
          body: Type.Object({
            registry: Type.Optional(Type.String({ ...multilineText })),
            mode: Type.Optional(Type.String({ maxLength: 20 })),
          }),
        },
        bodyLimit: 3 * importBodyLimitBytes,
      },
      async (request, reply) => {
        const context = pageContext(request, 'admin');
        const body = request.body as FormBody;
        const text = typeof body.registry === 'string' ? body.registry : '';
        const dryRun = body.mode !== 'import';
        const outcome = await runImport(context, text, dryRun);
        const status = outcome.kind === 'summary' ? 200 : 422;
        if (request.headers['hx-request'] === 'true')
          return sendFragment(reply, renderImportResult(context, outcome), status);
        // Without JavaScript the form posts normally: the whole page comes back with the result.
        return sendPage(
          reply,
          context,
          {
            section: 'registry',
            title: context.t('console-registry-import'),
            body: renderImportPage(context, text, outcome),
          },
          status,
        );
      },
    );

    async function runImport(context: PageContext, text: string, dryRun: boolean): Promise<ImportOutcome> {
      if (text.trim() === '') return { kind: 'empty' };
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        return { kind: 'not_json', message: (error as Error).message };
      }
      try {
        const summary = await registry.importRegistry(context.principal, data, { dryRun });
        return { kind: 'summary', summary, dryRun };
      } catch (error) {
        const problems = validationProblems(error) ?? refusalProblems(error);
        if (problems === undefined) throw error;
        return { kind: 'problems', problems, dryRun };
      }
    }

    app.get('/console/registry/export', { schema: { hide: true } }, async (request, reply) => {
      const context = pageContext(request, 'admin');
      const file = await registry.exportRegistry(context.principal);
      const day = clock.now().toISOString().slice(0, 10);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="counterpart-registry-${day}.json"`)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(file, null, 1));
    });
  };
}
