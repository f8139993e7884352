// The digest's lock on its state file (src/digest/lock.ts): exclusive, waited for, released, and
// taken over from a process that is gone, from a previous life of this one, when empty, or when
// older than any run.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_STALE_MS, lockState } from '../../src/digest/lock.js';

function statePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'hindsight-lock-')), 'state.json');
}

describe('the digest state lock', () => {
  it('is exclusive: a second taker waits, then gives up with a line naming the holder', async () => {
    const state = statePath();
    const first = await lockState(state, 0);
    expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    const t0 = Date.now();
    await expect(lockState(state, 300)).rejects.toThrow(/^another hindsight digest is using the state .*state\.json \(process \d+ since .*; lock file .*state\.json\.lock\); try again when it is done/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    first.release();
    expect(existsSync(`${state}.lock`)).toBe(false);
    (await lockState(state, 0)).release();
  });

  it('gets the lock as soon as the holder releases it', async () => {
    const state = statePath();
    const first = await lockState(state, 0);
    setTimeout(() => first.release(), 150);
    const second = await lockState(state, 5_000);
    second.release();
  });

  it('never takes over a recent lock from another host', async () => {
    const state = statePath();
    const since = new Date(Date.now() - 3600_000).toISOString();
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', since }));
    await expect(lockState(state, 0)).rejects.toThrow(`(process 1 on elsewhere since ${since}; lock file `);
    expect(existsSync(`${state}.lock`), "another run's lock is not removed").toBe(true);
  });

  it('takes over a lock older than any run, whatever its host (one restored from a CI cache)', async () => {
    const state = statePath();
    const since = new Date(Date.now() - LOCK_STALE_MS - 60_000).toISOString();
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', since }));
    const lock = await lockState(state, 0);
    expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    // Without a readable `since`, the file's age tells.
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere' }));
    await expect(lockState(state, 0)).rejects.toThrow('(process 1 on elsewhere; lock file ');
    const old = (Date.now() - LOCK_STALE_MS - 60_000) / 1000;
    utimesSync(`${state}.lock`, old, old);
    (await lockState(state, 0)).release();
  });

  it('takes over a lock naming this pid and host that this process does not hold (a restarted container)', async () => {
    const state = statePath();
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    const lock = await lockState(state, 0);
    // Held now: a second taker in this process waits for it like any other.
    await expect(lockState(state, 0)).rejects.toThrow(/^another hindsight digest is using the state/);
    lock.release();
    expect(existsSync(`${state}.lock`)).toBe(false);
  });

  it('takes over an empty lock once it is older than a write takes, not before', async () => {
    const state = statePath();
    writeFileSync(`${state}.lock`, '');
    await expect(lockState(state, 0)).rejects.toThrow(/\(an unknown process; lock file /);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(`${state}.lock`, old, old);
    const lock = await lockState(state, 0);
    expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose process has ended on this host', async () => {
    const state = statePath();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const lock = await lockState(state, 0);
    expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});

