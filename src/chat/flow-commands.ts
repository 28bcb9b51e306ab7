// `/cancel` and `/back`: the engine's commands that work in every conversation flow. `/back`
// with no flow in the chat is a module's (`Flows.onBackOutsideFlow`), or "nothing to go back to".
import type { ChatCommand } from './command-table.ts';
import type { FlowRunner } from './flow-runner.ts';

export function createFlowCommands(flows: Pick<FlowRunner, 'cancel' | 'back'>): ChatCommand[] {
  return [
    {
      id: 'cancel',
      names: { en: ['cancel'], ru: ['отмена', 'отменить'] },
      role: 'member',
      helpId: 'chat-command-cancel',
      run: ({ principal, inbound, locale }) => flows.cancel({ principal, inbound, locale }),
    },
    {
      id: 'back',
      names: { en: ['back'], ru: ['назад'] },
      role: 'member',
      helpId: 'chat-command-back',
      // With no flow in the chat, a module may give it a meaning (`onBackOutsideFlow`).
      run: ({ principal, inbound, locale }) => flows.back({ principal, inbound, locale }, true),
    },
  ];
}
