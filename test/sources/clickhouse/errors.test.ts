// The one line for each error people meet. The server's messages are ClickHouse's own (its
// src/Common/ErrorCodes.cpp names and codes; the texts as a server answers them over HTTP).
import { describe, expect, it } from 'vitest';
import { explain, ServerError, serverErrorIn } from '../../../src/sources/clickhouse/errors.js';

const at = { shown: 'clickhouse://reader@h:8123/db?table=otel_logs', url: 'http://h:8123', user: 'reader', table: 'otel_logs', passwordFrom: 'HINDSIGHT_CLICKHOUSE_PASSWORD' };

describe('explain', () => {
  it('wrong credentials: who was refused and where the password came from', () => {
    const e = serverErrorIn('Code: 516. DB::Exception: reader: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 24.8.4.13 (official build))');
    expect(e).toMatchObject({ code: 516, type: 'AUTHENTICATION_FAILED' });
    expect(explain(e, at).message).toBe('ClickHouse at http://h:8123 refused user reader: wrong user or password (the password came from HINDSIGHT_CLICKHOUSE_PASSWORD)');
    expect(explain(e, { ...at, passwordFrom: null }).message).toContain('no password given: put it in the URL or in HINDSIGHT_CLICKHOUSE_PASSWORD');
  });

  it('a limit: which one, and how to narrow', () => {
    const e = serverErrorIn('Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.32 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB.: While executing AggregatingTransform. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))');
    expect(explain(e, at).message).toMatch(/^the query on clickhouse:\/\/reader@h:8123\/db\?table=otel_logs went over the server's limit on memory \(max_memory_usage\) \(MEMORY_LIMIT_EXCEEDED: Memory limit \(for query\) exceeded: .*\): narrow it with --since\/--until or --service$/);
    expect(explain(new ServerError('Timeout exceeded: elapsed 30.001 seconds, maximum: 30', 159, 'TIMEOUT_EXCEEDED'), at).message).toContain("limit on time (max_execution_time)");
  });

  it('an unreachable server: where, and what to check', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(explain(refused, at).message).toBe('cannot reach ClickHouse at http://h:8123 (ECONNREFUSED): is the server up, and is that its HTTP port (8123; 8443 with clickhouses://)?');
  });

  it('anything else: the code, its name and the first line of the message', () => {
    expect(explain(new ServerError('Syntax error: failed at position 1\nmore', 62, 'SYNTAX_ERROR'), at).message).toBe('ClickHouse error 62 SYNTAX_ERROR on clickhouse://reader@h:8123/db?table=otel_logs: Syntax error: failed at position 1');
  });

  it("reads the server's error out of a multi-line message and before what follows it", () => {
    expect(serverErrorIn('Query failed: Code: 62. DB::Exception: Syntax error: failed at position 429 (>) (line 6, col 47): > 8) % 4] AS ServiceName,\n  multiIf(. Expected one of: token. (SYNTAX_ERROR)')).toMatchObject({ code: 62, type: 'SYNTAX_ERROR' });
    expect(serverErrorIn('Code: 241. DB::Exception: Memory limit (for query) exceeded. (MEMORY_LIMIT_EXCEEDED) (version 25.3.1.1 (official build))\r\nabc123\r\n')).toMatchObject({ code: 241, type: 'MEMORY_LIMIT_EXCEEDED', message: 'Memory limit (for query) exceeded.' });
    expect(serverErrorIn('Code: 999. DB::Exception: something odd')).toMatchObject({ code: 999, type: '', message: 'something odd' });
    expect(serverErrorIn('no error here')).toBeNull();
  });
});
