// The adapter registry: every messenger this build can talk to, by the name its accounts are
// linked under. Adding a messenger (Signal, a second Telegram bot) is one adapter folder that
// exports a MessengerAdapterModule (src/chat/messenger-module.ts) and one line here; the
// composition root (src/application.ts) builds, starts and stops whatever is listed. A deployment
// or a test can also hand the composition root adapters of its own (`createApplication`'s
// `adapters` option) without touching this file. The web console is not listed: its sessions and
// routes are wired by the composition root itself.
import {
  webConsolePlatform,
  type AdapterContext,
  type MessengerAdapterModule,
  type RunningMessenger,
} from '../src/chat/index.ts';
import { matrixAdapterModule } from './matrix/index.ts';
import { telegramAdapterModule } from './telegram/index.ts';

export const messengerAdapters = {
  telegram: telegramAdapterModule,
  matrix: matrixAdapterModule,
} satisfies Record<string, MessengerAdapterModule>;

type Registry = typeof messengerAdapters;

/**
 * The adapters the configuration turned on in this process, each with its own type (tests reach
 * in); adapters added with `extra` are present under their own names as plain RunningMessengers.
 */
export type RunningBots = {
  [Name in keyof Registry]?: NonNullable<ReturnType<Registry[Name]['create']>>;
} & { readonly [name: string]: RunningMessenger | undefined };

/** The registry plus a deployment's own adapters; a name already taken is a configuration error. */
export function adapterModules(
  extra: Readonly<Record<string, MessengerAdapterModule>> = {},
): Readonly<Record<string, MessengerAdapterModule>> {
  for (const [name, module] of Object.entries(extra)) {
    if (name in messengerAdapters || name === webConsolePlatform) {
      throw new Error(`messenger adapter "${name}": the name is taken by a built-in adapter`);
    }
    if (name !== module.messenger.platform) {
      throw new Error(
        `messenger adapter "${name}": registered under a name other than its platform "${module.messenger.platform}"`,
      );
    }
  }
  return { ...messengerAdapters, ...extra };
}

export function createRunningBots(
  context: AdapterContext,
  modules: Readonly<Record<string, MessengerAdapterModule>> = messengerAdapters,
): RunningBots {
  const running: Record<string, RunningMessenger> = {};
  for (const [name, module] of Object.entries(modules)) {
    const bot = module.create(context);
    if (bot !== undefined) running[name] = bot;
  }
  return running;
}
