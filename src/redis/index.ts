// The redis module's public surface: other modules import from here only.
export { openRedis, type RedisHandle } from './redis-connection.ts';
