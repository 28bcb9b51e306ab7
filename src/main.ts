// The server's entry point (`npm start`, the Docker image): the compile cache first (see
// compile-cache.ts), then the server itself (server.ts), loaded once the cache is on.
import { keepCompileCache, useCompileCache } from './compile-cache.ts';
import { useModuleResolutionShortcuts } from './module-resolution/index.ts';

useCompileCache();
useModuleResolutionShortcuts();
await import('./server.ts');
// server.ts has started the server (or exited): what its start compiled is kept for the next one.
keepCompileCache();
