// The digest's lock on its state file (src/digest/lock.ts): exclusive, waited for, released, and
// taken over from a process that is gone, from a previous life of this one, when empty, or when
// older than any run.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_STALE_MS, lockState, readLock, takeOverStale } from '../../src/digest/lock.js';

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

  // Issue 19: two runs that found the same dead lock both removed "it" and both ran, the later
  // removing the lock the earlier had just made in its place.
  it('takes a stale lock over atomically: a run that judged it stale before another took it over removes nothing', async () => {
    const state = statePath();
    const lockPath = `${state}.lock`;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockPath, JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const seenByB = readLock(lockPath); // run B reads the dead lock and judges it stale...
    const a = await lockState(state, 0); // ...run A takes it over first
    expect(takeOverStale(lockPath, seenByB), "B's takeover of a lock already replaced").toBe(false);
    expect(readLock(lockPath).owner.pid, "A's lock is still there").toBe(process.pid);
    await expect(lockState(state, 0)).rejects.toThrow(/^another hindsight digest is using the state/);
    a.release();
    expect(readdirSync(dirname(state)), 'no claim or lock left behind').toEqual([]);
  });

  it('lets one run take a stale lock over while another holds the claim, and clears a claim left by a killed run', async () => {
    const state = statePath();
    const lockPath = `${state}.lock`;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockPath, JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const claim = `${lockPath}.takeover-${readLock(lockPath).ino}`;
    writeFileSync(claim, ''); // another run is taking it over
    await expect(lockState(state, 300)).rejects.toThrow(/^another hindsight digest is using the state/);
    expect(readLock(lockPath).owner.pid).toBe(gone);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(claim, old, old); // that run was killed while taking it over
    const lock = await lockState(state, 1_000);
    expect(readLock(lockPath).owner.pid).toBe(process.pid);
    expect(existsSync(claim)).toBe(false);
    lock.release();
  });

  // The built module (dist/, built before the tests in .ci/run and land.sh), in two processes.
  const built = fileURLToPath(new URL('../../dist/digest/lock.js', import.meta.url));
  it.skipIf(!existsSync(built))('two processes taking the same dead locks at the same instant never both hold one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-lock-race-'));
    const rounds = 12;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (let k = 0; k < rounds; k++) writeFileSync(join(dir, `state-${k}.json.lock`), JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    // Each round starts at the same instant in both (a busy wait to the millisecond); the holder
    // marks its hold with an exclusive file, so a second holder at the same time fails to make it.
    const script = `
      const { lockState } = await import(${JSON.stringify(built)});
      const fs = await import('node:fs');
      const [dir, start, rounds] = process.argv.slice(1);
      let doubles = 0;
      for (let k = 0; k < Number(rounds); k++) {
        while (Date.now() < Number(start) + k * 120);
        const state = dir + '/state-' + k + '.json';
        const lock = await lockState(state, 3000);
        try { fs.writeFileSync(state + '.holder', String(process.pid), { flag: 'wx' }); } catch { doubles++; }
        await new Promise((r) => setTimeout(r, 20));
        fs.rmSync(state + '.holder', { force: true });
        lock.release();
      }
      process.stdout.write(String(doubles));`;
    const start = Date.now() + 600;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--input-type=module', '-e', script, dir, String(start), String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
      });
    const doubles = await Promise.all([run(), run()]);
    expect(doubles).toEqual(['0', '0']);
    expect(readdirSync(dir), 'every lock released, no claim or file written aside left').toEqual([]);
  }, 30_000);
});
