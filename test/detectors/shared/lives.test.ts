// Container and server lives on real programs' output without deployment ids (test/fixtures/lives,
// see its README): which life a start and a stop belong to, how each ended, and what the detectors
// built on them report.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readTimeline, runDetectors } from '../../../src/pipeline.js';
import { lifecycleOf, replacements, startsAfterCleanStop } from '../../../src/detectors/shared/lifecycle.js';
import type { Finding } from '../../../src/model.js';
import { ms } from '../../helpers/timeline.js';

const fixture = (name: string) => join(import.meta.dirname, '../../fixtures/lives', name);

async function analyze(file: string) {
  const { summary } = await readTimeline([file.startsWith('/') ? file : fixture(file)]);
  return { summary, findings: runDetectors(summary).findings };
}

const finding = (fs: Finding[], detector: string) => {
  const f = fs.find((x) => x.detector === detector);
  expect(f, `${detector} finding`).toBeDefined();
  return f!;
};

describe.each(['postgres-kill9.log', 'postgres-kill9.jsonl'])('PostgreSQL 15 postmaster killed with kill -9 and started again (%s)', (file) => {
  it('has two postmaster lives: the killed one ended by its backends\' last words, the second by its fast shutdown', async () => {
    const { summary } = await analyze(file);
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.pid, l.stop?.failed, l.pairedBy])).toEqual([
      [6835, true, 'order'],
      [7064, false, 'pid'],
    ]);
    // 17:13:08.355 start → 17:13:08.847 first "terminating connection due to unexpected postmaster exit".
    expect(lives[0]!.lifetimeMs).toBe(492);
    // 17:13:11.433 start → 17:13:11.853 "received fast shutdown request".
    expect(lives[1]!.lifetimeMs).toBe(420);
    expect(lives[1]!.start!.afterFailure).toBe(true);
  });

  it('reports one ungraceful stop (the kill) of two', async () => {
    const f = finding((await analyze(file)).findings, 'ungraceful-shutdown');
    expect(f.severity).toBe('high');
    expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, crashed: 1, killed: 0, immediate: 0, unlogged: 0 });
    expect(f.data.ungracefulStops).toEqual([{ at: '2026-12-07T17:13:08Z', killed: false, immediate: false, crashed: true, exitCode: null, pid: 6835 }]);
    expect(f.summary).toContain('PostgreSQL\'s backends logged the postmaster\'s unexpected exit');
  });

  it('classes the first life as crashed and the second as stopped', async () => {
    const f = finding((await analyze(file)).findings, 'container-churn');
    expect((f.data.containers as { endedBy: string; pid: number | null }[]).map((c) => [c.pid, c.endedBy])).toEqual([
      [6835, 'crash'],
      [7064, 'stopped'],
    ]);
    expect(f.data).toMatchObject({ crashed: 1, startsAfterCrash: 1 });
  });

  it('ties the crash recovery to the postmaster\'s death and counts the three backends cut off', async () => {
    const f = finding((await analyze(file)).findings, 'postgres-crash-recovery');
    expect(f.data.causes).toEqual({ 'postmaster-died': 1 });
    expect(f.data.episodes).toMatchObject([
      { start: '2026-12-07T17:13:11Z', causeAt: '2026-12-07T17:13:08Z', redoStart: '0/1500780', redoDone: '0/15CFF78', failedClients: 3, downtimeSeconds: 2.617 },
    ]);
  });
});

describe.each(['postgres-kill9-idle.log', 'postgres-kill9-idle.jsonl'])('PostgreSQL 15 killed with kill -9 while no client was connected (%s)', (file) => {
  it('ends the silent postmaster life at the next start in its place, and reports it as an unlogged crash', async () => {
    const { summary, findings } = await analyze(file);
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.pid, l.ended ?? null, l.lifetimeMs])).toEqual([
      // Nothing logged its end: its last line (a disconnection at 18:02:26.073) is all that is known.
      [1354, 'restarted', null],
      // 18:02:29.576 → 18:02:29.970 "received fast shutdown request".
      [1478, null, 394],
    ]);
    expect(lives[0]!.lastSeen).toBe(Date.parse('2026-12-07T18:02:26.073Z'));
    const f = finding(findings, 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, unlogged: 1, unloggedCrashed: 1, crashed: 0, silent: 0 });
    expect(f.summary).toContain('1 logged nothing before the server started again (its next start reported a crash)');
    const churn = finding(findings, 'container-churn');
    expect((churn.data.containers as { endedBy: string; lastSeen: string | null }[]).map((c) => [c.endedBy, c.lastSeen])).toEqual([
      ['crash', '2026-12-07T18:02:26Z'],
      ['stopped', null],
    ]);
    const rec = finding(findings, 'postgres-crash-recovery');
    expect(rec.data.episodes).toMatchObject([{ cause: 'ended-silently', causeAt: '2026-12-07T18:02:26Z', downSince: null, redoStart: '0/1500780' }]);
  });
});

// `railway logs` prints the last lines: the same capture from the killed server's last session on,
// without its start. The start that reports a crash is the service's first lifecycle line, so the
// life it took over began before the logs and ended in a crash (samples/restart-loop's first kill).
describe.each(['postgres-kill9-idle.log', 'postgres-kill9-idle.jsonl'])('PostgreSQL 15 killed with kill -9, its start before the logs (%s from line 6)', (file) => {
  it('counts the killed life that started before the logs as an unlogged crash, ended at its last line', async () => {
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-lives-'));
    try {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(fixture(file), 'utf8').split('\n').slice(5).join('\n'));
      const { summary, findings } = await analyze(path);
      const lives = lifecycleOf(summary).lives;
      expect(lives.map((l) => [l.start?.pid ?? null, l.ended ?? null, l.endKnown ?? null, l.next?.pid ?? null])).toEqual([
        [null, 'restarted', 'crash', 1478],
        [1478, null, null, null],
      ]);
      // Its last line: the disconnection at 18:02:26.073.
      expect(lives[0]!.lastSeen).toBe(Date.parse('2026-12-07T18:02:26.073Z'));
      const f = finding(findings, 'ungraceful-shutdown');
      expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, unlogged: 1, unloggedCrashed: 1 });
      expect(f.data.ungracefulStops).toEqual([{ at: '2026-12-07T18:02:26Z', killed: false, immediate: false, crashed: true, exitCode: null, pid: null }]);
      expect(f.evidence.map((e) => e.text)).toContain('database system was interrupted; last known up at 2026-12-07 18:02:25 UTC');
      const churn = finding(findings, 'container-churn');
      expect((churn.data.containers as { start: string | null; endedBy: string }[]).map((c) => [c.start, c.endedBy])).toEqual([
        [null, 'crash'],
        ['2026-12-07T18:02:29Z', 'stopped'],
      ]);
      expect(finding(findings, 'postgres-crash-recovery').data.episodes).toMatchObject([{ cause: 'ended-silently', causeAt: '2026-12-07T18:02:26Z' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A container killed with every process in it leaves no line: no shutdown, no "Stopping Container". In
// the Railway form the next life opens with "Starting Container" (a container start, which on a
// redeploy comes before the old container's stop) and PostgreSQL's "database system was interrupted":
// that report ends the killed life as the stderr file's in-place start does.
describe.each(['postgres-container-kill.jsonl', 'postgres-container-kill.log'])('PostgreSQL 15 container killed, started again, then stopped by the platform (%s)', (file) => {
  it('ends the killed life at the next start that reports its crash, and pairs the platform\'s stop with the life that followed', async () => {
    const { summary, findings } = await analyze(file);
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.pid, l.ended ?? null, l.next?.pid ?? null, l.stop?.pid ?? null, l.pairedBy])).toEqual([
      // Its last line: 20:01:06.520 "database system is ready to accept connections".
      [25382, 'restarted', 25506, null, 'order'],
      // "received fast shutdown request" names the second postmaster.
      [25506, null, null, 25506, 'pid'],
    ]);
    expect(lives[0]!.lastSeen).toBe(Date.parse('2026-12-07T20:01:06.520Z'));
    const f = finding(findings, 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, unlogged: 1, unloggedCrashed: 1, crashed: 0, silent: 0, killed: 0 });
    expect(f.data.ungracefulStops).toEqual([{ at: '2026-12-07T20:01:06Z', killed: false, immediate: false, crashed: true, exitCode: null, pid: 25382 }]);
    // Past the next container's Starting Container, the line that tells the crash.
    expect(f.evidence.map((e) => e.text)).toContain('database system was interrupted; last known up at 2026-12-07 20:01:06 UTC');
    const churn = finding(findings, 'container-churn');
    expect((churn.data.containers as { pid: number | null; endedBy: string }[]).map((c) => [c.pid, c.endedBy])).toEqual([
      [25382, 'crash'],
      [25506, 'stopped'],
    ]);
    expect(finding(findings, 'postgres-crash-recovery').data.causes).toEqual({ 'ended-silently': 1 });
  });
});

// The stack lab's PostgreSQL under the fault script (test/fixtures/stacks/README.md), its container
// killed once and started again: the Railway form and the stderr file of the same server.
describe('the stack lab\'s PostgreSQL faults, as Railway delivers them and as a stderr file', () => {
  const stack = (name: string) => join(import.meta.dirname, '../../fixtures/stacks/postgres/faults', name);
  const read = async (name: string) => runDetectors((await readTimeline([stack(name)])).summary).findings;
  /** Findings without their evidence (the Railway form's holds its Starting Container lines), the places of their lines, and what only a container log has. */
  const comparable = (fs: Finding[]) =>
    JSON.parse(
      JSON.stringify(
        fs.filter((f) => f.detector !== 'container-churn' && f.detector !== 'restart-loop').map((f) => ({ ...f, evidence: undefined })),
        (k, v) => (k === 'location' ? undefined : v),
      ),
    );

  it('reports the killed server as the one ungraceful stop, a crash, and the server after it as running', async () => {
    const findings = await read('postgres.jsonl');
    expect(finding(findings, 'ungraceful-shutdown').data).toMatchObject({ stops: 1, ungraceful: 1, unlogged: 1, unloggedCrashed: 1 });
    const churn = finding(findings, 'container-churn');
    expect((churn.data.containers as { pid: number | null; endedBy: string }[]).map((c) => [c.pid, c.endedBy])).toEqual([
      [23226, 'crash'],
      [23887, 'running'],
    ]);
  });

  it('gives the stderr file\'s findings', async () => {
    const [railway, stderr] = [await read('postgres.jsonl'), await read('postgres.log')];
    expect(railway.map((f) => f.detector)).toContain('ungraceful-shutdown');
    expect(comparable(railway)).toEqual(comparable(stderr));
  });
});

describe('samples/restart-loop read without its deployment ids (as `railway logs --json` prints it)', () => {
  it('pairs each looping container with its own kill, and the serving container with its replacement', async () => {
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-lives-'));
    try {
      const lines = readFileSync(join(import.meta.dirname, '../../../samples/restart-loop/backend.jsonl'), 'utf8').trim().split('\n');
      const bare = lines.map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        delete o.deploymentId;
        delete o.deploymentInstanceId;
        return JSON.stringify(o);
      });
      const path = join(dir, 'backend.jsonl');
      writeFileSync(path, bare.join('\n') + '\n');
      const { summary } = await readTimeline([path]);
      const f = finding(runDetectors(summary).findings, 'container-churn');
      const rows = f.data.containers as { start: string; stop: string | null; lifetimeSeconds: number | null; endedBy: string }[];
      // The 21 looping containers: each killed within seconds of its start (README: "killed a few seconds into start-up").
      const loop = rows.filter((r) => r.endedBy === 'crash');
      expect(loop).toHaveLength(21);
      for (const r of loop) expect(r.lifetimeSeconds).toBeLessThan(30);
      // The 06:20 deployment kept serving through the loop and was replaced by the fix at 07:14.
      expect(rows[0]).toMatchObject({ start: '2025-11-20T06:20:04Z', endedBy: 'replaced' });
      expect(rows[0]!.stop! > '2025-11-20T07:14').toBe(true);
      // And the restart loop says so: an older container served through it, the service was not down.
      const restart = finding(runDetectors(summary).findings, 'restart-loop');
      expect(restart.data).toMatchObject({ state: 'served-by-older-container', servedBy: { start: '2025-11-20T06:20:04Z' } });
      expect(restart.impact).toContain('the service was not down');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('uvicorn 0.17.6 through a redeploy, a kill, two failed boots and a clean stop (uvicorn.jsonl)', () => {
  const ended = async () => {
    const f = finding((await analyze('uvicorn.jsonl')).findings, 'container-churn');
    return f.data.containers as { start: string; stop: string | null; lifetimeSeconds: number | null; endedBy: string }[];
  };

  it('tells the replacement from the kill, the failed boots and the stop, with lifetimes from their own lines', async () => {
    const rows = await ended();
    expect(rows.map((r) => [r.endedBy, r.lifetimeSeconds])).toEqual([
      // 17:27:44.183 start → 17:28:55.313 "Stopping Container", after the second container came up.
      ['replaced', 71.1],
      // 17:28:49.573 → 17:30:00.775 "start.sh: line 5: 16382 Killed".
      ['crash', 71.2],
      // "Application startup failed. Exiting." 0.58 s and 0.43 s after their starts; no stop line follows a failed boot.
      ['crash', 0.6],
      ['crash', 0.4],
      // 17:30:04.617 → 17:31:10.269 "Stopping Container", then uvicorn's own shutdown.
      ['stopped', 65.7],
    ]);
  });

  it('reports only the kill as an ungraceful stop', async () => {
    const f = finding((await analyze('uvicorn.jsonl')).findings, 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 3, graceful: 2, ungraceful: 1, killed: 1, sigkillAfterSigterm: 0 });
    expect((f.data.ungracefulStops as { at: string }[]).map((s) => s.at)).toEqual(['2026-12-07T17:30:00Z']);
  });
});

describe('gunicorn 20.1.0 through a worker timeout, a stop, a failed boot and a restart (gunicorn.jsonl)', () => {
  it('keeps the worker timeout inside the running container and ends the failed deploy at its halt', async () => {
    const { summary, findings } = await analyze('gunicorn.jsonl');
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start!.failed, l.stop?.failed, l.lifetimeMs])).toEqual([
      // "WORKER TIMEOUT" is a worker's end, not the container's: 17:31:10.501 → 17:32:17.849.
      [false, false, 67348],
      // "Shutting down: Master" then "Reason: Worker failed to boot." 0.97 s after the start.
      [false, true, 969],
      [false, false, 65516],
    ]);
    const f = finding(findings, 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 3, graceful: 2, ungraceful: 1, crashed: 1, killed: 0 });
    expect((f.data.ungracefulStops as { exitCode: number | null }[])[0]!.exitCode).toBe(3);
  });

  it('reports no restart loop: the second start follows gunicorn\'s own graceful shutdown (a deploy), and one boot failed', async () => {
    const { summary, findings } = await analyze('gunicorn.jsonl');
    expect(findings.filter((f) => f.detector === 'restart-loop')).toEqual([]);
    // 17:32:19.415 "Starting Container", after "Handling signal: term" ... "Shutting down: Master" at 17:32:18.
    const lc = lifecycleOf(summary);
    expect([...startsAfterCleanStop(lc.lives, lc.starts).keys()].map((s) => s.ts)).toEqual([ms('2026-12-07T17:32:19.415Z')]);
  });
});

// The stack lab's Node API (Fastify 4 with pino, test/fixtures/stacks/README.md) redeployed four times
// 65 s apart: each new container starts, logs "Server listening", and only then is the old one sent
// "Stopping Container" (SIGTERM); and the faults run, where a heap out-of-memory crash and a failing
// start command restart it.
describe('the stack lab\'s Node API: redeploys are replacements, crashes are restarts (test/fixtures/stacks/node)', () => {
  const stack = async (run: string) => {
    const dir = join(import.meta.dirname, '../../fixtures/stacks/node', run);
    const { summary } = await readTimeline(['api.jsonl', 'postgres.jsonl'].map((f) => join(dir, f)));
    return { summary, findings: runDetectors(summary).findings };
  };

  it('pairs each old container with the start that replaced it, before its stop', async () => {
    const { summary } = await stack('redeploys');
    const lives = lifecycleOf(summary).lives.filter((l) => l.service === 'api');
    const by = replacements(lives);
    expect(lives).toHaveLength(5);
    // Each of the first four was replaced by the next one, which started 1–2 s before its stop.
    expect(lives.slice(0, 4).map((l) => by.get(l))).toEqual(lives.slice(1).map((l) => l.start));
    for (const l of lives.slice(0, 4)) expect(l.stop!.ts - by.get(l)!.ts).toBeLessThan(3_000);
    expect(by.has(lives[4]!)).toBe(false);
  });

  it('reports no restart loop and only low churn for four redeploys', async () => {
    const { findings } = await stack('redeploys');
    expect(findings.filter((f) => f.detector === 'restart-loop')).toEqual([]);
    const churn = finding(findings, 'container-churn');
    expect(churn.severity).toBe('low');
    expect(churn.data).toMatchObject({ replacements: 4, crashed: 0, flapping: false, crashLoop: false });
  });

  it('still counts the restarts after the crashes, and not the two redeploys before them', async () => {
    const { summary, findings } = await stack('faults');
    const loop = finding(findings, 'restart-loop');
    const starts = lifecycleOf(summary).starts.filter((s) => s.service === 'api');
    // Nine starts: two are redeploys (new container up before the old one's stop), the seven others
    // follow the first start, the heap out-of-memory crash, a stop, and the four failed boots.
    expect(starts).toHaveLength(9);
    expect(loop.data.starts).toBe(7);
    expect(loop.severity).toBe('high');
    expect(finding(findings, 'container-churn').data.crashLoop).toBe(true);
  });

  // pino writes the process's pid on every line: the second redeploy's stop (17:18:40) is of pid
  // 24758, which wrote its "SIGTERM received" and went quiet, and the heap out-of-memory crash 3 s
  // later (V8's lines carry no pid) is of pid 24867, which served until then, not a line of that stop.
  it('tells the lives apart by the pid pino writes: the crash is the replica\'s, not the stopped container\'s', async () => {
    const { summary, findings } = await stack('faults');
    const lives = lifecycleOf(summary).lives.filter((l) => l.service === 'api');
    expect(lives.map((l) => [l.start?.pid ?? null, l.stop?.pid ?? null, l.stop?.failed ?? null, l.pairedBy])).toEqual([
      [24087, 24087, false, 'pid'],
      [24758, 24758, false, 'pid'],
      [24867, 24867, true, 'pid'],
      [25094, 25094, false, 'pid'],
      // The failing start command (npm, no pino line): four failed boots, then the fixed deploy.
      ...Array.from({ length: 4 }, () => [null, null, null, 'order']),
      [25776, null, null, 'order'],
    ]);
    const churn = finding(findings, 'container-churn');
    expect((churn.data.containers as { pid: number | null; lifetimeSeconds: number | null; endedBy: string }[]).slice(0, 4).map((c) => [c.pid, c.lifetimeSeconds, c.endedBy])).toEqual([
      // 17:18:19.833 → 17:18:36.034 "Stopping Container", the next container up at 17:18:35.
      [24087, 16.2, 'replaced'],
      // 17:18:34.273 → 17:18:40.276.
      [24758, 6, 'replaced'],
      // 17:18:38.663 → 17:18:43.707 "FATAL ERROR: Reached heap limit".
      [24867, 5, 'crash'],
      // 17:18:44.322 (restarted after the crash) → 17:18:47.825, stopped for the failing deploy.
      [25094, 3.5, 'stopped'],
    ]);
    expect(churn.data).toMatchObject({ crashed: 5, replacements: 2, pairedBy: 'pid' });
  });

  it('names no process by a pid every container reuses (node as pid 1): the same capture with pino\'s pids made 1 pairs by order', async () => {
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-lives-'));
    try {
      const path = join(dir, 'api.jsonl');
      const lines = readFileSync(join(import.meta.dirname, '../../fixtures/stacks/node/faults/api.jsonl'), 'utf8').trim().split('\n');
      writeFileSync(path, lines.map((l) => l.replace(/"pid":\d+/, '"pid":1')).join('\n') + '\n');
      const { summary } = await readTimeline([path]);
      const lives = lifecycleOf(summary).lives;
      expect(lives).toHaveLength(9);
      expect(lives.every((l) => l.pairedBy === 'order' && l.stop?.pid === undefined)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A service killed without a word and started again by the platform, and the same service stopped and
// started again (test/fixtures/lives/README.md: redis-server 7.0.15 and the stack lab's Fastify/pino
// API, captured by apps/kill9-restart.ts in the stack lab's Railway form, without deployment ids).
// Whether the silent end is a crash comes from the program: Redis logs every clean stop of its own, a
// Node server logs none.
const mediumOrWorse = (fs: Finding[]) => fs.filter((f) => f.severity !== 'low' && f.severity !== 'info').map((f) => `${f.severity} ${f.detector}`);

describe('Redis 7 killed with kill -9, started again by the platform, stopped 11 min later (redis-kill9.jsonl)', () => {
  it('ends the killed life at its last line, ungracefully, and pairs the stop with the second life by its pid', async () => {
    const { summary } = await analyze('redis-kill9.jsonl');
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.pid, l.ended ?? null, l.endKnown ?? null, l.stop?.pid ?? null, l.pairedBy, l.lifetimeMs])).toEqual([
      // No stop: its last line (22:54:56.739, "Ready to accept connections" as Railway read it) is all that is known.
      [4958, 'restarted', 'ungraceful', null, 'order', null],
      // 22:54:59.797 "Starting Container" → 23:05:59.900 "Stopping Container", whose "Received SIGTERM" names pid 5538.
      [5538, null, null, 5538, 'pid', 660_103],
    ]);
    expect(lives[0]!.lastSeen).toBe(ms('2026-12-07T22:54:56.739Z'));
    expect(lives[0]!.next!.ts).toBe(ms('2026-12-07T22:54:59.797Z'));
  });

  it('reports the kill as the one ungraceful stop of two, and the killed life as crashed', async () => {
    const { findings } = await analyze('redis-kill9.jsonl');
    const f = finding(findings, 'ungraceful-shutdown');
    expect(f.severity).toBe('high');
    expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, unlogged: 1, unannounced: 1, unloggedCrashed: 0, killed: 0 });
    expect(f.data.ungracefulStops).toEqual([{ at: '2026-12-07T22:54:56Z', killed: false, immediate: false, crashed: false, exitCode: null, pid: 4958 }]);
    expect(f.summary).toContain('redis logs every clean stop of its own, and logged none');
    const churn = finding(findings, 'container-churn');
    expect((churn.data.containers as { pid: number | null; endedBy: string }[]).map((c) => [c.pid, c.endedBy])).toEqual([
      [4958, 'crash'],
      [5538, 'stopped'],
    ]);
  });
});

describe('Redis 7 stopped and started again by the platform (redis-restart.jsonl)', () => {
  it('pairs each stop with its own life by pid, and reports no ungraceful stop and nothing of medium or worse', async () => {
    const { summary, findings } = await analyze('redis-restart.jsonl');
    expect(lifecycleOf(summary).lives.map((l) => [l.start?.pid, l.stop?.pid, l.ended ?? null, l.pairedBy])).toEqual([
      [4959, 4959, null, 'pid'],
      [5559, 5559, null, 'pid'],
    ]);
    expect(findings.filter((f) => f.detector === 'ungraceful-shutdown')).toEqual([]);
    expect(mediumOrWorse(findings)).toEqual([]);
  });
});

describe('the stack lab\'s Node API killed with kill -9, started again, stopped 11 min later (node-kill9.jsonl)', () => {
  it('ends the killed life at its last line with an unknown end, never running, and gives the stop to the life after it', async () => {
    const { summary } = await analyze('node-kill9.jsonl');
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.ended ?? null, l.endKnown ?? null, l.stop === null, l.lifetimeMs])).toEqual([
      ['restarted', 'unknown', true, null],
      // 22:55:01.164 "Starting Container" → 23:06:04.060 "Stopping Container": more than a handover after that start.
      [null, null, false, 662_896],
    ]);
    // Its last request's line, 1.2 s before the next start.
    expect(lives[0]!.lastSeen).toBe(ms('2026-12-07T22:54:59.949Z'));
  });

  it('reports nothing of medium or worse: a Node server stops without a word, so its kill and a redeploy look the same', async () => {
    const { findings } = await analyze('node-kill9.jsonl');
    expect(findings.filter((f) => f.detector === 'ungraceful-shutdown')).toEqual([]);
    expect(mediumOrWorse(findings)).toEqual([]);
  });
});

describe('the stack lab\'s Node API stopped and started again (node-restart.jsonl)', () => {
  it('pairs each stop with its own life and reports nothing of medium or worse', async () => {
    const { summary, findings } = await analyze('node-restart.jsonl');
    expect(lifecycleOf(summary).lives.map((l) => [l.ended ?? null, l.lifetimeMs])).toEqual([
      [null, 3245],
      [null, 4901],
    ]);
    expect(mediumOrWorse(findings)).toEqual([]);
  });
});

// Two replicas of one service writing to one Railway stream, the second started 30 s after the first,
// both serving for 11 minutes (past a redeploy's handover), then stopped one after the other
// (test/fixtures/lives/README.md: uvicorn 0.17.6 and gunicorn 20.1.0, apps/replicas.ts). The second
// start overtakes the first, which logs no stop for 11 minutes: that is no silent death.
describe.each(['uvicorn-replicas.jsonl', 'gunicorn-replicas.jsonl'])('two replicas started 30 s apart, stopped 11 min later (%s)', (file) => {
  it('pairs each stop with its own replica by the pid its lines name, and reports nothing of medium or worse', async () => {
    const { summary, findings } = await analyze(file);
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.pid === l.stop?.pid, l.ended ?? null, l.pairedBy])).toEqual([
      [true, null, 'pid'],
      [true, null, 'pid'],
    ]);
    // Each lived its 11.5 minutes (the first 30 s more).
    expect(lives.map((l) => Math.round(l.lifetimeMs! / 60_000))).toEqual([12, 11]);
    expect(mediumOrWorse(findings)).toEqual([]);
    expect(findings.filter((f) => f.detector === 'ungraceful-shutdown' || f.detector === 'restart-loop')).toEqual([]);
  });

  it('reads the logs cut before the stops (both replicas running) as no silent death either', async () => {
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-lives-'));
    try {
      const lines = readFileSync(fixture(file), 'utf8').trim().split('\n');
      const path = join(dir, file);
      writeFileSync(path, lines.slice(0, lines.findIndex((l) => l.includes('"Stopping Container"'))).join('\n') + '\n');
      const { summary, findings } = await analyze(path);
      // The second start overtook the first more than a handover ago: it ended, or it still runs; how is unknown.
      expect(lifecycleOf(summary).lives.map((l) => [l.ended ?? null, l.endKnown ?? null])).toEqual([
        ['restarted', 'unknown'],
        [null, null],
      ]);
      expect(mediumOrWorse(findings)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Celery's worker and nginx (at `notice`) announce every clean stop of theirs; Celery's beat does not.
// Each started, stopped by the platform, started again, killed with SIGKILL (no line), started again
// and stopped 11 minutes later (test/fixtures/lives/README.md: Celery 5.2.6 on a real Redis 7, nginx
// 1.22.1; apps/clean-stops.ts).
describe('Celery 5.2.6 worker and nginx 1.22.1: clean stops in their own words, a kill in silence (celery-worker-stops.jsonl, nginx-stops.jsonl)', () => {
  it.each([
    ['celery-worker-stops.jsonl', 'celery'],
    ['nginx-stops.jsonl', 'nginx-error'],
  ])('reads the two stops as graceful and the killed life as an ungraceful end (%s)', async (file, program) => {
    const { summary, findings } = await analyze(file);
    const lives = lifecycleOf(summary).lives;
    expect(lives.map((l) => [l.start?.program ?? null, l.stop !== null, l.ended ?? null, l.endKnown ?? null])).toEqual([
      [program, true, null, null],
      [program, false, 'restarted', 'ungraceful'],
      [program, true, null, null],
    ]);
    // The last life served its 11 minutes.
    expect(Math.round(lives[2]!.lifetimeMs! / 60_000)).toBe(11);
    const f = finding(findings, 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 3, graceful: 2, ungraceful: 1, unlogged: 1, unannounced: 1, silent: 0 });
    expect(findings.filter((x) => x.detector === 'restart-loop')).toEqual([]);
  });

  it('names nginx\'s master by its pid at both ends', async () => {
    const lives = lifecycleOf((await analyze('nginx-stops.jsonl')).summary).lives;
    expect(lives.map((l) => [l.start?.pid, l.stop?.pid ?? null, l.pairedBy])).toEqual([
      [14753, 14753, 'pid'],
      [14858, null, 'order'],
      [14990, 14990, 'pid'],
    ]);
    expect(lives[2]!.stop!.signal).toBe('SIGTERM');
    expect(lives[0]!.stop!.signal).toBe('SIGQUIT');
  });

  it('reports nothing of medium or worse for beat, which writes nothing when it stops', async () => {
    expect(mediumOrWorse((await analyze('celery-beat-stops.jsonl')).findings)).toEqual([]);
  });
});
