import { describe, expect, it } from 'vitest';
import { withoutTerminalCodes } from '../../src/ingest/terminal-codes.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayText } from '../../src/ingest/formats/railway-text.js';
import { runFormat } from './run-format.js';

const ESC = '\u001b';

describe('withoutTerminalCodes', () => {
  it.each([
    [`${ESC}[31mERROR${ESC}[0m: payment failed`, 'ERROR: payment failed'],
    [`${ESC}[1;38;5;208mWARN${ESC}[39;49m queue slow`, 'WARN queue slow'],
    [`${ESC}[2K${ESC}[1Gprogress 40%`, 'progress 40%'],
    [`title${ESC}]0;pwned\u0007 after`, 'title after'],
    [`link ${ESC}]8;;https://example.com${ESC}\\here${ESC}]8;;${ESC}\\ done`, 'link here done'],
    [`${ESC}7saved${ESC}8`, 'saved'],
    [`ends with a lone escape${ESC}`, 'ends with a lone escape'],
    ['Überweisung fehlgeschlagen: 😀 [31m is only text', 'Überweisung fehlgeschlagen: 😀 [31m is only text'],
  ])('%j → %j', (input, want) => {
    expect(withoutTerminalCodes(input)).toBe(want);
  });

  it('returns the string itself when it holds no escape', () => {
    const s = 'GET /api/tasks 200 12ms'.repeat(3);
    expect(withoutTerminalCodes(s)).toBe(s);
  });
});

describe('coloured messages at ingest', () => {
  it('railway-json: the level word behind a colour code still sets the level, and templates see plain text', () => {
    const line = (m: string, level: string, s: number) => JSON.stringify({ message: m, level, timestamp: `2026-03-02T10:00:0${s}Z` });
    const r = runFormat(railwayJson, [
      line(`${ESC}[33mWARNING${ESC}[0m:  Invalid HTTP request received.`, 'error', 1),
      line(`${ESC}[32mINFO${ESC}[0m:     10.0.0.1:5000 - "GET /health HTTP/1.1" 200`, 'error', 2),
      line(`${ESC}[33m2026-03-02 10:00:03.120 UTC [77] LOG:  checkpoint starting: time${ESC}[0m`, 'error', 3),
    ]);
    expect(r.events.map((e) => [e.level, e.message])).toEqual([
      ['warn', 'WARNING:  Invalid HTTP request received.'],
      ['info', 'INFO:     10.0.0.1:5000 - "GET /health HTTP/1.1" 200'],
      ['info', 'checkpoint starting: time'],
    ]);
    expect(r.events[2]!.source).toBe('postgres');
  });

  it('railway-text: markers and dashboard times are read through the colours', () => {
    const r = runFormat(railwayText, [`${ESC}[31m[ERRO]${ESC}[0m Handler timed out`, `2026-02-07T19:12:02  [err] ${ESC}[1mDatabase session error: ${ESC}[0m`]);
    expect(r.events.map((e) => [e.level, e.message])).toEqual([
      ['error', 'Handler timed out'],
      ['error', 'Database session error: '],
    ]);
    expect(r.events[1]!.ts).toBe(Date.UTC(2026, 1, 7, 19, 12, 2));
  });
});
