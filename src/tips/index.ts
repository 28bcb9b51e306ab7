// The tips module's public surface.
export { loadTips, parseTips, TipsFileError, type Tip } from './tips-file.ts';
export { createTipsService, type LocalizedTip, type TipsService } from './tips-service.ts';
export { tipsRoutes } from './tips-routes.ts';
