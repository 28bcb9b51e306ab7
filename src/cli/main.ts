// `npm run cli -- <command>`: the compile cache first (see ../compile-cache.ts), then the commands
// (commands.ts), loaded once the cache is on.
import { useCompileCache } from '../compile-cache.ts';
import { useModuleResolutionShortcuts } from '../module-resolution/index.ts';

useCompileCache();
useModuleResolutionShortcuts();
await import('./commands.ts');
