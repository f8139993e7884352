// One digest at a time per state file. Two runs at once would both read run N, both print run
// N+1, and the later rename would drop the other's findings. The lock is a file beside the state
// (`<state>.lock`, created exclusively, holding the owner's pid and host), taken before the state
// is read and removed once the new state is written. A second run waits a little for it, then
// gives up with exit code 2. A lock left by a process that is gone (a kill -9, a crash) is
// taken over when it was made on this host: its pid tells whether the owner still runs. Three
// more kinds are stale, or no digest could ever run again: one naming this process's pid and host
// that this process does not hold (a container where node always has the same pid and host name,
// restarted after a kill), an empty or unreadable one older than a write takes (a kill between
// the create and the write), and one older than LOCK_STALE_MS whatever its host (a lock carried
// to another machine, e.g. in a CI cache).
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { makeFolder, StateError } from './state.js';

/** How long a second digest waits for the lock before it gives up. */
export const LOCK_WAIT_MS = 10_000;
const POLL_MS = 100;
/** Age past which a lock is stale on any host: far longer than any digest runs. */
export const LOCK_STALE_MS = 6 * 3600_000;
/** Lock files this process holds: a lock naming our pid but not in here is a previous life's. */
const heldPaths = new Set<string>();
/** Time a new lock may stay empty, between its creation and its first write, before it is stale. */
const EMPTY_LOCK_GRACE_MS = 2_000;

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** A held lock: release() removes it (also on process exit, should the run end abruptly). */
export interface StateLock {
  release: () => void;
}

/** Takes the lock on the state at `statePath`, waiting up to `waitMs` for another run to finish. */
export async function lockState(statePath: string, waitMs = LOCK_WAIT_MS): Promise<StateLock> {
  const path = `${statePath}.lock`;
  const deadline = Date.now() + waitMs;
  // The state's folder, on a first run (`--state .hindsight/state.json`), so that the lock has a place.
  try {
    makeFolder(dirname(statePath));
  } catch (e) {
    throw new StateError(`cannot write the digest state ${statePath}: cannot create its folder: ${(e as Error).message}`);
  }
  for (;;) {
    const owner = tryCreate(path, statePath);
    if (owner === null) return held(path);
    if (ownerIsGone(owner, path)) {
      // Removed and retried, not overwritten: two runs finding the same stale lock race on the create.
      removeQuietly(path);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner.pid > 0 ? `process ${owner.pid}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ''}${owner.since ? ` since ${owner.since}` : ''}` : 'an unknown process';
      throw new StateError(`another hindsight digest is using the state ${statePath} (${who}; lock file ${path}); try again when it is done, or delete the lock file if no digest is running`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Creates the lock file; null when created, else who holds it. */
function tryCreate(path: string, statePath: string): LockOwner | null {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return readOwner(path);
    throw new StateError(`cannot write the digest state ${statePath}: cannot create its lock file ${path}: ${(e as Error).message}`);
  }
  try {
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeSync(fd, JSON.stringify(me) + '\n');
  } finally {
    closeSync(fd);
  }
  return null;
}

function readOwner(path: string): LockOwner {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return { pid: typeof raw.pid === 'number' ? raw.pid : 0, host: typeof raw.host === 'string' ? raw.host : '', since: typeof raw.since === 'string' ? raw.since : '' };
  } catch {
    // Removed meanwhile, or empty: caught between its creation and its first write, or left so
    // by a kill there (ownerIsGone tells the two apart by the file's age).
    return { pid: 0, host: '', since: '' };
  }
}

/** Milliseconds since the lock file was last written; 0 when it is gone. */
function lockAge(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether the owner is known to have ended: a previous life of this process, a lock older than
 *  any run, an empty lock older than a write takes, or on this host a pid that no longer runs. */
function ownerIsGone(o: LockOwner, path: string): boolean {
  if (o.pid === process.pid && o.host === hostname()) return !heldPaths.has(path);
  const since = Date.parse(o.since);
  if ((Number.isNaN(since) ? lockAge(path) : Date.now() - since) > LOCK_STALE_MS) return true;
  if (o.pid <= 0) return lockAge(path) > EMPTY_LOCK_GRACE_MS;
  if (o.host !== hostname()) return false;
  try {
    process.kill(o.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function held(path: string): StateLock {
  heldPaths.add(path);
  const onExit = () => removeQuietly(path);
  process.on('exit', onExit);
  return {
    release: () => {
      process.off('exit', onExit);
      heldPaths.delete(path);
      removeQuietly(path);
    },
  };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
