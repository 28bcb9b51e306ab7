// The drafts module's public surface.
export {
  buildDraft,
  draftElements,
  type Draft,
  type DraftDocument,
  type ChecklistItem,
} from './draft-builder.ts';
export { docxMediaType, renderDocx } from './draft-docx.ts';
export { createDraftsService, type DraftsService, type DraftRequest } from './drafts-service.ts';
export { draftsRoutes } from './drafts-routes.ts';
export { registerDraftChat, draftFlowId, type DraftInChat } from './draft-chat.ts';
export { createDraftDownloads, defaultDownloadTtlSeconds, type DraftDownloads } from './draft-downloads.ts';
export { draftDownloadRoutes, draftDownloadPath } from './draft-download-routes.ts';
