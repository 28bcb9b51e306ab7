// Text rules shared by every edge: HTTP, registry files, CLI arguments and chat.
export { dropUnsafeCharacters, quotableText, unsafeTextReason, type TextKind } from './text-rules.ts';
export { chatText, multilineText, textKindKeyword, textProblems, type TextProblem } from './text-problems.ts';
