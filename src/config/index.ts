// The config module's public surface: other modules import from here only.
export {
  type Config,
  ConfigError,
  loadConfig,
  type LogLevel,
  processEnvironment,
  projectRoot,
  redactConfig,
} from './config.ts';
export { type ChannelKind, type ChannelKindRule, channelKinds } from './channel-kinds.ts';
