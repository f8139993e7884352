import { describe, expect, it } from 'vitest';
import { levelCueOf, levelOfWord, levelOfNumber } from '../../src/ingest/level.js';

describe('levelCueOf', () => {
  it.each([
    ['INFO:     Application startup complete.', 'info'],
    ['WARNING: retrying', 'warn'],
    ['ERROR connecting to redis', 'error'],
    ['[error] boom', 'error'],
    ['[Warn] disk', 'warn'],
    ['CRITICAL | worker died', 'fatal'],
    ['2026-02-07 19:12:02,118 - tasks - INFO - done', 'info'],
    ['2026-02-07T19:12:02Z ERROR: failed', 'error'],
    ['level=warn msg="slow"', 'warn'],
    ['level="error" msg=x', 'error'],
  ])('%s → %s', (m, level) => {
    expect(levelCueOf(m)).toBe(level);
  });

  it.each(['Error connecting to the database', 'info about the job', 'error connecting to redis', 'note: disk 80% full', 'info:x', '3 workers ERROR', 'Processing job ERROR 42', '[main] ERROR x', 'levels=3 level', '2026-12-07 17:00:00 worker: INFO later', '{"msg":"no level here"}', 'worker 3 started', 'GET /health 200', 'HTTP/1.1 200', '[toString] x', 'CONSTRUCTOR: x', '', 'levels=3'])(
    'no level in %j',
    (m) => {
      expect(levelCueOf(m)).toBeNull();
    },
  );
});

describe('levelOfWord / levelOfNumber', () => {
  it('maps words case-insensitively, not Object.prototype names', () => {
    expect(['ERR', 'warning', 'Notice', 'PANIC', 'debug3'].map(levelOfWord)).toEqual(['error', 'warn', 'info', 'fatal', 'debug']);
    expect(levelOfWord('toString')).toBeNull();
    expect(levelOfWord('constructor')).toBeNull();
    // The one-word cache gives the same answer on repeats.
    expect([levelOfWord('info'), levelOfWord('info'), levelOfWord('nope'), levelOfWord('nope')]).toEqual(['info', 'info', null, null]);
  });

  it('maps pino and syslog numbers', () => {
    expect([10, 20, 30, 40, 50, 60].map((n) => levelOfNumber(n))).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    expect([0, 3, 4, 6, 7].map((n) => levelOfNumber(n, true))).toEqual(['fatal', 'error', 'warn', 'info', 'debug']);
  });
});
