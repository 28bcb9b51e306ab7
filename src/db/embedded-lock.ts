// The embedded database (PGlite) lives inside one process: a second process opening the same
// directory would work on its own copy of the pages, and its writes would be refused or lost.
// Whoever opens it holds a lock file in DATA_DIR naming itself; a second opener is refused with
// who holds it, and a lock left by a process that died is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EmbeddedHolder {
  pid: number;
  /** What runs: `server` or the CLI command. */
  role: string;
  startedAt: string;
  /** Where the holder's API listens, once it does. */
  address?: string | undefined;
}

/** Thrown when another live process holds the embedded database. */
export class EmbeddedDatabaseBusy extends Error {
  readonly holder: EmbeddedHolder;
  readonly dataDir: string;
  constructor(dataDir: string, holder: EmbeddedHolder) {
    super(
      `the embedded database in ${dataDir} is in use by another process (pid ${holder.pid}, ${holder.role}` +
        `${holder.address === undefined ? '' : `, listening at ${holder.address}`})`,
    );
    this.name = 'EmbeddedDatabaseBusy';
    this.holder = holder;
    this.dataDir = dataDir;
  }
}

export interface EmbeddedLock {
  /** Records where this process's API listens, so a refused CLI can point there. */
  recordAddress(address: string): void;
  release(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function lockEmbeddedDatabase(dataDir: string, role: string): EmbeddedLock {
  const path = resolve(dataDir, 'counterpart.lock');
  const holder: EmbeddedHolder = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, JSON.stringify(holder));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      let existing: EmbeddedHolder | undefined;
      try {
        existing = JSON.parse(readFileSync(path, 'utf8')) as EmbeddedHolder;
      } catch {
        existing = undefined;
      }
      if (existing !== undefined && existing.pid !== process.pid && alive(existing.pid))
        throw new EmbeddedDatabaseBusy(dataDir, existing);
      // Left by a process that is gone (or unreadable, cut short by a crash): take it over.
      rmSync(path, { force: true });
    }
  }
  let released = false;
  return {
    recordAddress(address) {
      if (released) return;
      writeFileSync(path, JSON.stringify({ ...holder, address }));
    },
    release() {
      if (released) return;
      released = true;
      rmSync(path, { force: true });
    },
  };
}
