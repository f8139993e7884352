// One digest at a time per state file. Two runs at once would both read run N, both print run
// N+1, and the later rename would drop the other's findings. The lock is a file beside the state
// (`<state>.lock`, holding the owner's pid and host), taken before the state is read and removed
// once the new state is written. A second run waits a little for it, then gives up with exit
// code 2. A lock left by a process that is gone (a kill -9, a crash) is taken over when it was
// made on this host: its pid tells whether the owner still runs. Three more kinds are stale, or
// no digest could ever run again: one naming this process's pid and host that this process does
// not hold (a container where node always has the same pid and host name, restarted after a
// kill), an empty or unreadable one older than a write takes (left by a kill between the create
// and the write of a version before the linking below), and one older than LOCK_STALE_MS whatever
// its host (a lock carried to another machine, e.g. in a CI cache).
//
// Taking over is atomic. A lock is made whole before it appears (written to a file of its own,
// then linked to the lock's name, which fails when the name is taken), so it is never seen empty.
// Two runs that find the same stale lock race on an exclusive claim named for that lock file
// (`<state>.lock.takeover-<inode>`): the one that makes it removes the lock, and only when the
// lock is still the very file it judged stale (same inode, same content); the other waits and
// finds the winner's lock. Removing without the claim, one run could remove the lock the other
// had just made in its place, and both would run. A claim left by a run killed while taking over
// is removed once older than a takeover takes.
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
/** Age past which an empty lock is stale (left by a kill between a create and its write, as versions before linking made them). */
const EMPTY_LOCK_GRACE_MS = 2_000;
/** Age past which a takeover claim is a leftover of a run killed while taking over (a takeover takes microseconds). */
const CLAIM_STALE_MS = 5_000;

export interface LockOwner {
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
    const found = tryCreate(path, statePath);
    if (found === null) return held(path);
    if (found.ino < 0) continue; // released between our link and our read: try again at once
    const { owner } = found;
    // Removed through a claim, then retried: two runs finding the same stale lock race on the claim, then on the create.
    if (ownerIsGone(owner, path) && takeOverStale(path, found)) continue;
    if (Date.now() >= deadline) {
      const who = owner.pid > 0 ? `process ${owner.pid}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ''}${owner.since ? ` since ${owner.since}` : ''}` : 'an unknown process';
      throw new StateError(`another hindsight digest is using the state ${statePath} (${who}; lock file ${path}); try again when it is done, or delete the lock file if no digest is running`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A lock file as read: its owner, and what tells this very file from a later one at the same name. */
export interface FoundLock {
  owner: LockOwner;
  /** Its inode and content (-1 and '' when it is gone). */
  ino: number;
  text: string;
}

/** Creates the lock, whole (written aside, then linked to its name); null when created, else the lock found there. */
function tryCreate(path: string, statePath: string): FoundLock | null {
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const aside = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    const fd = openSync(aside, 'wx');
    try {
      writeSync(fd, JSON.stringify(me) + '\n');
    } finally {
      closeSync(fd);
    }
    linkSync(aside, path);
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readLock(path);
    throw new StateError(`cannot write the digest state ${statePath}: cannot create its lock file ${path}: ${(e as Error).message}`);
  } finally {
    removeQuietly(aside);
  }
}

/** The lock at `path` as it is now. */
export function readLock(path: string): FoundLock {
  let ino = -1;
  let text = '';
  try {
    ino = statSync(path).ino;
    text = readFileSync(path, 'utf8');
  } catch {
    // Removed meanwhile.
  }
  return { owner: parseOwner(text), ino, text };
}

function parseOwner(text: string): LockOwner {
  try {
    const raw = JSON.parse(text) as Partial<LockOwner>;
    return { pid: typeof raw.pid === 'number' ? raw.pid : 0, host: typeof raw.host === 'string' ? raw.host : '', since: typeof raw.since === 'string' ? raw.since : '' };
  } catch {
    // Removed meanwhile, or empty or torn: left so by a kill (ownerIsGone tells by the file's age).
    return { pid: 0, host: '', since: '' };
  }
}

/**
 * Removes the stale lock `seen` under an exclusive claim named for it, when it is still the file
 * judged stale: true when it was removed (or is gone), false when another run holds the claim or
 * has already put its own lock in its place.
 */
export function takeOverStale(path: string, seen: FoundLock): boolean {
  if (seen.ino < 0) return true;
  const claim = `${path}.takeover-${seen.ino}`;
  try {
    closeSync(openSync(claim, 'wx'));
  } catch {
    // Another run is taking this lock over, or was killed while it did (then its claim goes once old).
    if (lockAge(claim) > CLAIM_STALE_MS) removeQuietly(claim);
    return false;
  }
  try {
    const now = readLock(path);
    if (now.ino !== seen.ino || now.text !== seen.text) return now.ino < 0;
    removeQuietly(path);
    return true;
  } finally {
    removeQuietly(claim);
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
