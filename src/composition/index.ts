// The composition root's parts, one per use case. src/application.ts assembles them and is the one
// file of src/ that knows the messengers' adapters (bots/): what needs an adapter is handed in.
export { followMemberChanges, createPeriodicTasks, type PeriodicTasks } from './background-tasks.ts';
export { createConversations } from './conversations.ts';
export { createHttpApp } from './http-app.ts';
export { startProcessRoles } from './process-start.ts';
export { createPushesAndTimers, type PushesAndTimers } from './pushes.ts';
export { apiRoutes } from './routes.ts';
export { createSharedServices, type SharedServices } from './shared-services.ts';
export { createStatistics, type Statistics } from './statistics.ts';
export { createStopSequence } from './stop-sequence.ts';
export { loadPolicyFiles, openStorage, type PrefixedRedis, type Storage } from './storage.ts';
export { createWorkflows, type Workflows } from './workflows.ts';
