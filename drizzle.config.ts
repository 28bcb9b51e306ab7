import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // The core's tables, and the tables a messenger adapter keeps for itself (Matrix sync state).
  schema: ['./src/db/schema.ts', './bots/matrix/state/matrix-state-schema.ts'],
  out: './migrations',
});
