// The core never names a messenger (issue #11): it asks the adapter what it can do. This check
// keeps it that way. It lists, as file:line, every line of src/ that names (as a word or a part of
// an identifier, not a substring) a messenger whose
// adapter is registered in bots/index.ts (plus telegram and matrix, always), outside the places
// that are allowed to: the configuration and the composition root. The core's texts
// (src/i18n/locales) are checked message by message: only the registry's channel-kind labels below
// may name a messenger; a messenger's own name comes from its adapter (messenger-name-<platform>).
// Run by `npm run lint`, so CI fails on a name that creeps back in. Exit code 1 when it finds one.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { messengerNameMatcher } from './platform-name-matcher.ts';

/** The project; another tree can be given as the first argument (the gate's own test does). */
const root = process.argv[2] ?? path.join(import.meta.dirname, '..');

/**
 * Where a messenger's name belongs in src/, and why. Everything else in src/ is core and must say
 * "the messenger" and ask its capabilities (src/chat/messenger-port.ts).
 */
const allowed: readonly { prefix: string; why: string }[] = [
  // Environment variables per adapter, and registry vocabulary: contact-channel kinds named after
  // messengers (handles people type into a contact record, with their link services).
  { prefix: 'src/config/', why: 'configuration' },
  // The one module that imports bots/ and builds the registered adapters.
  { prefix: 'src/application.ts', why: 'composition root' },
];

/**
 * Core texts that may name a messenger, by exact message id: the labels, hints and error sentences
 * of the registry's contact-channel kinds (src/config/channel-kinds.ts). A contact's Telegram handle
 * or Matrix id is data about a person, shown whether or not this deployment runs that bot, so these
 * are registry vocabulary, not the core speaking of its adapters.
 */
const allowedMessages = new Set([
  'ask-channel-telegram',
  'ask-channel-matrix',
  'console-channel-telegram',
  'console-channel-matrix',
  'console-error-channel-telegram',
  'console-error-channel-matrix',
  'truth-change-field-telegram',
  'truth-change-field-matrix',
  'truth-change-hint-telegram',
  'truth-change-hint-matrix',
]);
const coreTexts = 'src/i18n/locales/';

/**
 * Each line of a Fluent file with the id of the message it belongs to (a message's indented
 * continuation lines and its variants carry its id; comments and blank lines carry none).
 */
function messageOfEachLine(lines: readonly string[]): (string | undefined)[] {
  let current: string | undefined;
  return lines.map((line) => {
    const start = /^(-?[A-Za-z][\w-]*)\s*=/.exec(line);
    if (start !== null) current = start[1];
    else if (line.startsWith('#') || line.trim() === '') current = undefined;
    return line.startsWith('#') ? undefined : current;
  });
}

/** The names under which bots/index.ts registers its adapters (`messengerAdapters = { name: ... }`). */
function registeredAdapterNames(): string[] {
  const source = readFileSync(path.join(root, 'bots', 'index.ts'), 'utf8');
  const registry = /export const messengerAdapters = \{([^}]*)\}/.exec(source);
  if (registry === null) throw new Error('bots/index.ts: messengerAdapters not found; update this check');
  return [...(registry[1] ?? '').matchAll(/^\s*([A-Za-z][\w-]*)\s*:/gm)].map((match) => match[1] ?? '');
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

const names = [...new Set(['telegram', 'matrix', ...registeredAdapterNames()])];
// Whole words and identifier parts (scripts/platform-name-matcher.ts): "matrices" is not "matrix".
const namesAMessenger = messengerNameMatcher(names);

const found: string[] = [];
for (const file of filesUnder(path.join(root, 'src'))) {
  if (allowed.some(({ prefix }) => file.startsWith(prefix))) continue;
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const messages = file.startsWith(coreTexts) ? messageOfEachLine(lines) : [];
  lines.forEach((line, index) => {
    const message = messages[index];
    if (message !== undefined && allowedMessages.has(message)) return;
    if (namesAMessenger(line))
      found.push(
        `${file}:${String(index + 1)}: ${message === undefined ? '' : `(${message}) `}${line.trim()}`,
      );
  });
}

if (found.length > 0) {
  console.error(
    `Messenger names (${names.join(', ')}) in the core, outside ${allowed.map((a) => a.prefix).join(', ')} and the channel-kind texts:`,
  );
  for (const line of found) console.error(`  ${line}`);
  console.error(
    'Say "the messenger" and ask its capabilities (src/chat/messenger-port.ts); per-messenger values belong in src/config or the adapter under bots/; a messenger\'s name in a text is a variable (messengerName, encryptedMessengerArguments in src/chat/messenger-names.ts).',
  );
  process.exit(1);
}
