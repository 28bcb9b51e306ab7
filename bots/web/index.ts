// The web console adapter: its routes (page, login, conversation, event stream) and its outbound
// side (pushes to open consoles), wired by the composition root.
export { webConsoleRoutes, type WebConsoleDeps } from './console-routes.ts';
export { looksLikeDemoRegistry } from './console-page.ts';
export { createEventStreams, type EventStreams } from './console-events.ts';
export { createWebPushHub, type WebPush, type WebPushHub } from './web-push-hub.ts';
export { webLocalesFolder, webMessenger } from './web-messenger.ts';
