// How long a wait may take before a test calls it a hang: one figure for every waiting helper's
// default (messages from the bot, calls to the emulators, server-sent events, the browser page).
// Generous on purpose: on a machine two or three times slower than usual (a CPU hog beside the
// suite, a loaded CI runner) a correct build must still pass; only a real hang reaches it. A wait
// that passes sooner costs nothing more, and no test asserts how fast anything happens.
export const hangDeadlineMs = 60_000;
