// Public surface of the Matrix adapter, used by the composition root.
export {
  createMatrixBot,
  type MatrixBot,
  type MatrixBotOptions,
  type MatrixBotStatus,
} from './matrix-bot.ts';
export { matrixMessenger } from './matrix-messenger.ts';
export { matrixAdapterModule } from './matrix-module.ts';
export { matrixBotLink, matrixLinkCommand, matrixWayIn } from './matrix-ways-in.ts';
