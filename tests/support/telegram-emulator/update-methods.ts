// Getting updates: getUpdates (long polling) and the webhook methods. As on Telegram, the two modes
// exclude each other and a second poller terminates the first one with 409 Conflict.
import { badRequest, conflict } from './bot-api-error.ts';
import { ResultWithDescription, type EmulatorCore, type MethodTable } from './emulator-core.ts';
import type { MethodParameters } from './method-parameters.ts';

function readAllowedUpdates(parameters: MethodParameters, core: EmulatorCore): void {
  const allowed = parameters.array('allowed_updates');
  if (allowed !== undefined)
    core.queue.setAllowedUpdates(allowed.filter((type): type is string => typeof type === 'string'));
}

/** The only ports Telegram delivers webhooks to. */
const webhookPorts = new Set(['443', '80', '88', '8443']);

function validateWebhookUrl(url: string, insecureWebhooks: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
  }
  // A test's local server speaks plain HTTP on a free port: only when the emulator was told so.
  if (insecureWebhooks && parsed.protocol === 'http:') return;
  if (parsed.protocol !== 'https:')
    throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  if (!webhookPorts.has(parsed.port === '' ? '443' : parsed.port))
    throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
}

export const updateMethods: MethodTable = {
  async getUpdates(parameters, core, call) {
    if (core.deliverer.settings !== undefined) {
      throw conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = parameters.integer('offset');
    const limit = Math.min(100, Math.max(1, parameters.integer('limit') ?? 100));
    const timeout = Math.max(0, parameters.integer('timeout') ?? 0);
    readAllowedUpdates(parameters, core);
    core.terminateActivePoll(
      conflict('terminated by other getUpdates request; make sure that only one bot instance is running'),
    );
    if (offset !== undefined) core.queue.confirm(offset);
    core.changed();
    if (core.queue.size === 0 && timeout > 0) await core.waitForUpdates(timeout * 1000, call.signal);
    return core.queue.take(limit);
  },

  setWebhook(parameters, core) {
    const url = parameters.string('url') ?? '';
    if (url === '') {
      core.deliverer.configure(undefined);
      return new ResultWithDescription(true, 'Webhook was deleted');
    }
    validateWebhookUrl(url, core.insecureWebhooks);
    const secretToken = parameters.string('secret_token');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest('secret token contains unallowed characters');
    }
    const maxConnections = parameters.integer('max_connections') ?? 40;
    if (maxConnections < 1 || maxConnections > 100)
      throw badRequest('bad webhook: max_connections must be between 1 and 100');
    readAllowedUpdates(parameters, core);
    if (parameters.boolean('drop_pending_updates') === true) core.queue.clear();
    core.terminateActivePoll(conflict('terminated by setWebhook request'));
    const unchanged = core.deliverer.settings?.url === url;
    core.deliverer.configure({
      url,
      secretToken,
      maxConnections,
      ipAddress: parameters.string('ip_address'),
      hasCustomCertificate: parameters.has('certificate'),
    });
    core.changed();
    return new ResultWithDescription(true, unchanged ? 'Webhook is already set' : 'Webhook was set');
  },

  deleteWebhook(parameters, core) {
    const wasSet = core.deliverer.settings !== undefined;
    if (parameters.boolean('drop_pending_updates') === true) core.queue.clear();
    core.deliverer.configure(undefined);
    core.changed();
    return new ResultWithDescription(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
  },

  getWebhookInfo(_parameters, core) {
    const settings = core.deliverer.settings;
    const status = core.deliverer.status;
    const allowedUpdates = core.queue.allowedUpdateTypes;
    return {
      url: settings?.url ?? '',
      has_custom_certificate: settings?.hasCustomCertificate ?? false,
      pending_update_count: core.queue.size,
      ...(settings?.ipAddress === undefined ? {} : { ip_address: settings.ipAddress }),
      ...(status.lastErrorDate === undefined
        ? {}
        : { last_error_date: status.lastErrorDate, last_error_message: status.lastErrorMessage }),
      ...(settings === undefined ? {} : { max_connections: settings.maxConnections }),
      ...(allowedUpdates === undefined ? {} : { allowed_updates: allowedUpdates }),
    };
  },
};
