// The adapter registry: every messenger this build can talk to, by the name its accounts are
// linked under. Adding a messenger (Signal, a second Telegram bot) is one adapter folder that
// exports a MessengerAdapterModule (src/chat/messenger-module.ts) and one line here; the
// composition root (src/application.ts) builds, starts and stops whatever is listed. The web
// console is not listed: its sessions and routes are wired by the composition root itself.
import type { AdapterContext, MessengerAdapterModule, RunningMessenger } from '../src/chat/index.ts';
import { matrixAdapterModule } from './matrix/index.ts';
import { telegramAdapterModule } from './telegram/index.ts';

export const messengerAdapters = {
  telegram: telegramAdapterModule,
  matrix: matrixAdapterModule,
} satisfies Record<string, MessengerAdapterModule>;

type Registry = typeof messengerAdapters;

/** The adapters the configuration turned on in this process, each with its own type (tests reach in). */
export type RunningBots = {
  [Name in keyof Registry]?: NonNullable<ReturnType<Registry[Name]['create']>>;
};

export function createRunningBots(context: AdapterContext): RunningBots {
  const running: Record<string, RunningMessenger> = {};
  for (const [name, module] of Object.entries(messengerAdapters)) {
    const bot = module.create(context);
    if (bot !== undefined) running[name] = bot;
  }
  return running;
}
