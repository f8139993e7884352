// process-exits on real output of node, npm, yarn, pnpm, bun, supervisord and shells
// (test/fixtures/vocabulary/), read as Railway delivers it.
import { describe, expect, it } from 'vitest';
import { processExits } from '../../src/detectors/process-exits.js';
import { detectOnCaptures } from './captured-run.js';

const T = Date.parse('2026-12-07T17:00:00Z');
const MIN = 60_000;

describe('process-exits: valid (no finding)', () => {
  it('healthy Node (pino) and Celery runs, supervisord starting programs, an expected exit', async () => {
    expect(
      await detectOnCaptures(processExits, [
        { fixture: 'pino-healthy.txt', at: T, stream: 'stdout' },
        { fixture: 'celery-healthy-worker.txt', at: T },
        { fixture: 'celery-healthy-beat.txt', at: T },
        { fixture: 'celery-beat.txt', at: T },
        { fixture: 'supervisord.txt', at: T + MIN, lines: [0, 6] },
        { text: '2026-12-07 17:09:46,626 INFO exited: api (exit status 0; expected)', at: T + 2 * MIN },
      ]),
    ).toEqual([]);
  });

  it('an out-of-memory crash is left to out-of-memory; a shell\'s "Terminated" is a stop', async () => {
    expect(
      await detectOnCaptures(processExits, [
        // V8's abort, then pnpm's "exit code 137" after the shell's "Killed" beside it (out of memory).
        { fixture: 'v8-heap.txt', at: T },
        { fixture: 'pnpm.txt', at: T + 2_000, lines: [3, 6] },
        { text: 'npm error signal SIGTERM', at: T + 2 * MIN },
      ]),
    ).toEqual([]);
  });
  it('Celery\'s pool process killed by the hard time limit is left to timeouts', async () => {
    expect(await detectOnCaptures(processExits, [{ fixture: 'celery-worker.txt', at: T }], 'worker')).toEqual([]);
  });
});

describe('process-exits: invalid (findings)', () => {
  it('a crash loop: boots that fail seconds apart, each in its own container, are as many exits', async () => {
    const starts = [0, 2_000, 4_000].map((d) => ({ text: 'Starting Container', at: T + d, stream: 'stdout' as const }));
    const fs = await detectOnCaptures(processExits, [
      ...starts,
      ...[0, 2_000, 4_000].map((d) => ({ fixture: 'node.txt', at: T + d + 500, lines: [0, 14] as [number, number] })),
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ count: 3, byCode: { 'exit 1': 3 } });
  });

  it('a Celery pool process killed by SIGKILL with no time limit near (the OOM killer\'s way)', async () => {
    const fs = await detectOnCaptures(processExits, [{ fixture: 'celery-worker.txt', at: T, lines: [62, 63] }], 'worker');
    expect(fs[0]!.data).toMatchObject({ count: 1, byCode: { SIGKILL: 1 }, byReporter: { 'Celery (billiard)': 1 } });
  });

  it('a shell\'s bare "Killed" with no out-of-memory line near is an exit by SIGKILL (a stop timeout, kill -9, a supervisor)', async () => {
    const fs = await detectOnCaptures(processExits, [
      { fixture: 'shell.txt', at: T, lines: [0, 2] },
      { fixture: 'pnpm.txt', at: T + MIN, lines: [3, 6] },
    ]);
    expect(fs[0]!.data).toMatchObject({ count: 2, byCode: { 'exit 137 (SIGKILL)': 2 }, byReporter: { 'sh / bash': 2 }, leftToOutOfMemory: 0 });
  });

  it('Node crashes under npm, yarn, pnpm and bun: one exit per crash, with its code', async () => {
    const fs = await detectOnCaptures(processExits, [
      { fixture: 'node.txt', at: T, lines: [0, 14] },
      // npm reports after Node's trailer: one exit.
      { fixture: 'npm.txt', at: T + 20, lines: [0, 5] },
      { fixture: 'yarn.txt', at: T + MIN, lines: [0, 5] },
      { fixture: 'pnpm.txt', at: T + 2 * MIN, lines: [0, 2] },
      { fixture: 'bun.txt', at: T + 3 * MIN, lines: [0, 2] },
    ], 'api');
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe('high');
    expect(f.data).toMatchObject({
      count: 4,
      byCode: { 'exit 1': 4 },
      perService: { api: 4 },
      byReporter: { 'Node.js': 1, 'yarn 1': 1, pnpm: 1, bun: 1 },
      leftToOutOfMemory: 0,
    });
    expect(f.title).toBe('Processes Exited with a Failure (4 exits: exit 1)');
  });

  it('supervisord\'s unexpected exits and a shell\'s abort and segfault, minutes apart', async () => {
    const fs = await detectOnCaptures(processExits, [
      { fixture: 'supervisord.txt', at: T, lines: [6, 7] },
      { fixture: 'supervisord.txt', at: T + MIN, lines: [7, 8] },
      { fixture: 'shell.txt', at: T + 2 * MIN, lines: [2, 3] },
      { fixture: 'shell.txt', at: T + 3 * MIN, lines: [3, 4] },
    ], 'worker');
    expect(fs[0]!.data).toMatchObject({
      count: 4,
      byCode: { 'exit 3': 1, SIGKILL: 1, 'exit 134 (SIGABRT)': 1, 'exit 139 (SIGSEGV)': 1 },
      byReporter: { supervisord: 2, 'sh / bash': 2 },
    });
  });

  it('two programs\' exits in one burst are two exits (supervisord reports them 5 ms apart)', async () => {
    // supervisord.txt lines 6-8 as written: api exits with status 3, worker is killed by SIGKILL.
    const fs = await detectOnCaptures(processExits, [{ fixture: 'supervisord.txt', at: T, lines: [6, 8] }], 'worker');
    expect(fs[0]!.data).toMatchObject({ count: 2, byCode: { 'exit 3': 1, SIGKILL: 1 } });
    expect(fs[0]!.data.exits.map((x) => x.program)).toEqual(['api', 'worker']);
  });

  it('one failed exit is medium', async () => {
    const fs = await detectOnCaptures(processExits, [{ fixture: 'npm.txt', at: T, lines: [0, 5] }]);
    expect(fs.map((f) => [f.severity, f.data.count, f.data.byCode])).toEqual([['medium', 1, { 'exit 1': 1 }]]);
  });
});
