import type { RunningMessenger } from '../chat/index.ts';
import type { Config } from '../config/index.ts';
import type { PeriodicTasks } from './background-tasks.ts';
import type { PushesAndTimers } from './pushes.ts';
import type { Workflows } from './workflows.ts';

/**
 * Starts what this process's run mode takes on. Consumers run in worker and all modes; API
 * processes only enqueue. Called once the HTTP app (and its webhook routes) exists, since bots
 * take messages from then on.
 */
export async function startProcessRoles({
  runMode,
  pushes,
  workflows,
  periodic,
  runningBots,
  webPushes,
}: {
  runMode: Config['runMode'];
  pushes: Pick<PushesAndTimers, 'outbox' | 'timers'>;
  workflows: Pick<Workflows, 'consultations'>;
  periodic: PeriodicTasks;
  runningBots: readonly Pick<RunningMessenger, 'connectsIn' | 'start'>[];
  /** Pushes to open web consoles, received where consoles connect (never worker processes). */
  webPushes: { start(): Promise<void> };
}): Promise<void> {
  if (runMode !== 'api') {
    pushes.outbox.startWorker();
    pushes.timers.startWorker();
    workflows.consultations.startWorkers();
    periodic.flowSweep.start();
    periodic.verificationPlanner.start();
  }
  // Each bot connects where it says: updates over HTTP in API processes, a connection that also
  // sends pushes in workers.
  for (const bot of runningBots)
    if (runMode === 'all' || (bot.connectsIn === 'workers') === (runMode === 'worker')) await bot.start();
  if (runMode !== 'worker') await webPushes.start();
}
