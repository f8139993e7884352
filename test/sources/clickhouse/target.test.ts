import { describe, expect, it } from 'vitest';
import { isClickHouseUrl, OTEL_COLUMNS, parseClickHouseUrl } from '../../../src/sources/clickhouse/target.js';
import { ClickHouseError } from '../../../src/sources/clickhouse/errors.js';
import { redact } from '../../../src/redact.js';

describe('parseClickHouseUrl', () => {
  it('reads host, port, user, database and table, with the defaults of a server and of the OpenTelemetry exporter', () => {
    const t = parseClickHouseUrl('clickhouse://logs.internal/default', {});
    expect(t).toMatchObject({ url: 'http://logs.internal:8123', user: 'default', password: '', passwordFrom: null, database: 'default', table: 'otel_logs', columns: OTEL_COLUMNS });
    expect(t.shown).toBe('clickhouse://logs.internal:8123/default?table=otel_logs');
    const s = parseClickHouseUrl('clickhouses://reader@ch.example.com:9443/obs?table=app_logs', {});
    expect(s).toMatchObject({ url: 'https://ch.example.com:9443', user: 'reader', database: 'obs', table: 'app_logs' });
    expect(parseClickHouseUrl('clickhouses://h', {}).url).toBe('https://h:8443');
    expect(isClickHouseUrl('clickhouse://h/db')).toBe(true);
    expect(isClickHouseUrl('logs/clickhouse.jsonl')).toBe(false);
  });

  it('takes the password from the URL or HINDSIGHT_CLICKHOUSE_PASSWORD, names where from, and never shows it', () => {
    const fromUrl = parseClickHouseUrl('clickhouse://reader:s3cr%40t-pass-2024@h/db', { HINDSIGHT_CLICKHOUSE_PASSWORD: 'other-password-x' });
    expect(fromUrl.password).toBe('s3cr@t-pass-2024');
    expect(fromUrl.passwordFrom).toBe('the URL');
    expect(fromUrl.shown).not.toContain('s3cr');
    expect(redact('connecting with s3cr@t-pass-2024')).not.toContain('s3cr@t-pass-2024');
    const fromEnv = parseClickHouseUrl('clickhouse://reader@h/db', { HINDSIGHT_CLICKHOUSE_PASSWORD: 'pw' });
    expect(fromEnv).toMatchObject({ password: 'pw', passwordFrom: 'HINDSIGHT_CLICKHOUSE_PASSWORD' });
    // Shorter than redaction's secrets: still cleaned from every ClickHouse message.
    expect(new ClickHouseError('refused pw').message).toBe('refused [REDACTED]');
  });

  it('maps another layout with column parameters; an unknown parameter or an empty required column is an error', () => {
    const t = parseClickHouseUrl('clickhouse://h/db?table=railway&time=at&service=svc&message=msg&level=&attributes=attrs', {});
    expect(t.columns).toEqual({ time: 'at', service: 'svc', level: '', message: 'msg', attributes: 'attrs', severityNumber: '' });
    expect(() => parseClickHouseUrl('clickhouse://h/db?tabel=x', {})).toThrow('unknown parameter ?tabel= in the ClickHouse URL: it takes table, time, service, level, message, attributes (docs/clickhouse.md)');
    expect(() => parseClickHouseUrl('clickhouse://h/db?time=', {})).toThrow('?time= in the ClickHouse URL is empty');
    expect(() => parseClickHouseUrl('clickhouse:///db', {})).toThrow(ClickHouseError);
  });
});
