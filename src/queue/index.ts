// The queue module's public surface: other modules import from here only.
export { createMicroBatcher, type MicroBatcher } from './micro-batcher.ts';
export { createPeriodicTask, type PeriodicTask } from './periodic-task.ts';
export { createQueueWorker } from './queue-workers.ts';
export {
  createQueueProducers,
  nudgeJobId,
  type QueueName,
  type QueuePayloads,
  type QueueProducers,
} from './queues.ts';
