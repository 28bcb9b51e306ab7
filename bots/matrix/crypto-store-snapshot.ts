// The Rust crypto of matrix-js-sdk persists only to IndexedDB, which Node lacks (matrix-js-sdk
// issue 4769, still open). We give it fake-indexeddb (an in-memory IndexedDB) and copy those
// databases, schema and records, into one blob that is stored encrypted in Postgres and loaded
// back into a fresh in-memory IndexedDB at the next start. The records are already encrypted
// by the Rust store itself (storageKey), so the blob is encrypted twice.
import { deserialize, serialize } from 'node:v8';
import * as fakeIndexedDb from 'fake-indexeddb';
import { indexedDB } from 'fake-indexeddb';

// The few IndexedDB shapes we touch; the project compiles without the DOM library.
interface Request<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenRequest extends Request<Database> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface Factory {
  open(name: string, version?: number): OpenRequest;
  deleteDatabase(name: string): Request<undefined>;
  databases(): Promise<{ name?: string; version?: number }[]>;
}
interface Database {
  readonly name: string;
  readonly version: number;
  readonly objectStoreNames: Iterable<string>;
  transaction(stores: string[], mode: 'readonly' | 'readwrite'): Transaction;
  createObjectStore(name: string, options: { keyPath: KeyPath; autoIncrement: boolean }): ObjectStore;
  close(): void;
}
interface Transaction {
  objectStore(name: string): ObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  readonly error: unknown;
}
type KeyPath = string | string[] | null;
interface ObjectStore {
  readonly keyPath: KeyPath;
  readonly autoIncrement: boolean;
  readonly indexNames: Iterable<string>;
  index(name: string): {
    readonly keyPath: string | string[];
    readonly unique: boolean;
    readonly multiEntry: boolean;
  };
  createIndex(
    name: string,
    keyPath: string | string[],
    options: { unique: boolean; multiEntry: boolean },
  ): unknown;
  getAll(): Request<unknown[]>;
  getAllKeys(): Request<unknown[]>;
  put(value: unknown, key?: unknown): Request<unknown>;
}

interface StoreSnapshot {
  name: string;
  keyPath: KeyPath;
  autoIncrement: boolean;
  indexes: { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }[];
  keys: unknown[];
  values: unknown[];
}
interface DatabaseSnapshot {
  /** Name without the per-run prefix, so it can be restored under another prefix. */
  suffix: string;
  version: number;
  stores: StoreSnapshot[];
}

const factory = indexedDB as unknown as Factory;

/** Makes the in-memory IndexedDB the process's IndexedDB, for the Rust crypto store to find. */
export function installInMemoryIndexedDb(): void {
  const global = globalThis as Record<string, unknown>;
  // The Rust store checks every object with instanceof against these globals.
  for (const [name, value] of Object.entries(fakeIndexedDb)) {
    if (name === 'indexedDB' || name.startsWith('IDB')) global[name] ??= value;
  }
}

const requestResult = <T>(request: Request<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error instanceof Error ? request.error : new Error('IndexedDB request failed'));
    };
  });

const transactionDone = (transaction: Transaction): Promise<void> =>
  new Promise((resolve, reject) => {
    transaction.oncomplete = () => {
      resolve();
    };
    const fail = () => {
      reject(
        transaction.error instanceof Error ? transaction.error : new Error('IndexedDB transaction failed'),
      );
    };
    transaction.onerror = fail;
    transaction.onabort = fail;
  });

async function databasesWithPrefix(prefix: string): Promise<{ name: string; version: number }[]> {
  const all = await factory.databases();
  return all.flatMap((info) =>
    info.name?.startsWith(prefix) === true ? [{ name: info.name, version: info.version ?? 1 }] : [],
  );
}

/** Copies every database whose name starts with `prefix`, in one consistent read per database. */
export async function snapshotDatabases(prefix: string): Promise<Buffer> {
  const snapshots: DatabaseSnapshot[] = [];
  for (const { name } of await databasesWithPrefix(prefix)) {
    const database = await requestResult(factory.open(name));
    try {
      const storeNames = [...database.objectStoreNames];
      const stores: StoreSnapshot[] = [];
      if (storeNames.length > 0) {
        const transaction = database.transaction(storeNames, 'readonly');
        const done = transactionDone(transaction);
        for (const storeName of storeNames) {
          const store = transaction.objectStore(storeName);
          const [keys, values] = await Promise.all([
            requestResult(store.getAllKeys()),
            requestResult(store.getAll()),
          ]);
          const indexes = [...store.indexNames].map((indexName) => {
            const index = store.index(indexName);
            return {
              name: indexName,
              keyPath: index.keyPath,
              unique: index.unique,
              multiEntry: index.multiEntry,
            };
          });
          stores.push({
            name: storeName,
            keyPath: store.keyPath,
            autoIncrement: store.autoIncrement,
            indexes,
            keys,
            values,
          });
        }
        await done;
      }
      snapshots.push({ suffix: name.slice(prefix.length), version: database.version, stores });
    } finally {
      database.close();
    }
  }
  return serialize(snapshots);
}

/** Recreates the databases of a snapshot under `prefix` (which must not exist yet). */
export async function restoreDatabases(prefix: string, snapshot: Buffer): Promise<void> {
  const databases = deserialize(snapshot) as DatabaseSnapshot[];
  for (const saved of databases) {
    const request = factory.open(`${prefix}${saved.suffix}`, saved.version);
    request.onupgradeneeded = () => {
      const database = request.result;
      for (const store of saved.stores) {
        const created = database.createObjectStore(store.name, {
          keyPath: store.keyPath,
          autoIncrement: store.autoIncrement,
        });
        for (const index of store.indexes)
          created.createIndex(index.name, index.keyPath, {
            unique: index.unique,
            multiEntry: index.multiEntry,
          });
      }
    };
    const database = await requestResult(request);
    try {
      const storeNames = saved.stores.map((store) => store.name);
      if (storeNames.length === 0) continue;
      const transaction = database.transaction(storeNames, 'readwrite');
      const done = transactionDone(transaction);
      for (const store of saved.stores) {
        const target = transaction.objectStore(store.name);
        store.values.forEach((value, position) => {
          // In-line keys come from the value itself; out-of-line keys must be given.
          if (store.keyPath === null) target.put(value, store.keys[position]);
          else target.put(value);
        });
      }
      await done;
    } finally {
      database.close();
    }
  }
}

/** Drops the in-memory databases of one run (after stopping, or before a restore is retried). */
export async function deleteDatabases(prefix: string): Promise<void> {
  for (const { name } of await databasesWithPrefix(prefix)) {
    // A connection the SDK failed to close would block deletion forever; memory is all we lose.
    const deleted = requestResult(factory.deleteDatabase(name)).catch(() => undefined);
    await Promise.race([deleted, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}
