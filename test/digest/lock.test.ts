// The digest's lock on its state file (src/digest/lock.ts): exclusive, waited for, released, and
// taken over from a process that is gone.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockState } from '../../src/digest/lock.js';

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

  it('never takes over a lock from another host, however old', async () => {
    const state = statePath();
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', since: '2026-01-01T00:00:00Z' }));
    await expect(lockState(state, 0)).rejects.toThrow(/\(process 1 on elsewhere since 2026-01-01T00:00:00Z; lock file /);
    expect(existsSync(`${state}.lock`), "another run's lock is not removed").toBe(true);
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

