import { describe, expect, it } from 'vitest';
import { cutText, inline, redact, redactDeep, redactSecrets, redactSyntaxErrorWord, registerSecret } from '../../src/redact.js';
import { leakedPiece, rng, SECRET_SHAPES } from '../fixtures/secrets/corpus.js';

// Each positive case: the line, and the secret that must not survive redaction.
const POSITIVE: Array<[string, string]> = [
  ['connecting to postgres://app:s3cr3tPass@db.internal:5432/main', 's3cr3tPass'],
  ['DATABASE_URL=postgresql://postgres:hunter2@containers-us-west-1.railway.app:6543/railway', 'hunter2'],
  ['redis://:p4ssw0rd@redis.railway.internal:6379', 'p4ssw0rd'],
  ['amqp://guest:gu3st!pw@rabbit/vhost', 'gu3st!pw'],
  ['mongodb+srv://admin:Xy9/zz:q@cluster0.mongodb.net/test', 'Xy9/zz:q'],
  ['password=hunter22 user=app host=db', 'hunter22'],
  ['PGPASSWORD=correcthorse psql -h db', 'correcthorse'],
  ['DB_PASSWORD: topsecret99', 'topsecret99'],
  ['login with pwd=abc12345&user=x', 'abc12345'],
  ['GET /reset?token=9f8e7d6c5b4a&user=3', '9f8e7d6c5b4a'],
  ['secret=shhh-its-a-secret', 'shhh-its-a-secret'],
  ['client_secret=GOCSPX-abcdefghijkl', 'GOCSPX-abcdefghijkl'],
  ['api_key=AbCdEf123456 sent', 'AbCdEf123456'],
  ['x-api-key: live_9a8b7c6d5e', 'live_9a8b7c6d5e'],
  ['Authorization: Bearer abc.def-123_456~xyz', 'abc.def-123_456~xyz'],
  ['header authorization=Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ'],
  ['Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ'],
  ['sent bearer ya29.a0AfH6SMBx3kq1 to google', 'ya29.a0AfH6SMBx3kq1'],
  ['{"user":"bob","password":"p@ss w0rd \\" quoted"}', 'p@ss w0rd'],
  ['{"access_token": "ya29.A0ARrdaM-abc"}', 'ya29.A0ARrdaM-abc'],
  ["{'password': 'hunter2', 'user': 'bob'}", 'hunter2'],
  ['password="two words"', 'two words'],
  ["token='single quoted'", 'single quoted'],
  ['jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['AWS key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
  ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['glpat-abcdefghij1234567890 in url', 'glpat-abcdefghij1234567890'],
  ['slack xoxb-1234567890-abcdefghij posted', 'xoxb-1234567890-abcdefghij'],
  ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc charged', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ['OPENAI sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'],
  ['anthropic sk-ant-api03-abcdefghijklmnopqrstuv', 'sk-ant-api03-abcdefghijklmnopqrstuv'],
  ['google AIzaSyA1234567890abcdefghijklmnopqrstuv ok', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
  ['sendgrid SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567 ok', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567'],
  ['Cookie: session_id=8f14e45fceea167a5a36dedd4bea2543', '8f14e45fceea167a5a36dedd4bea2543'],
  ['X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024', 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024'],
  ['mysqldump --password=Sup3rS3cret db', 'Sup3rS3cret'],
  ['run --token abcd1234efgh', 'abcd1234efgh'],
  ['key -----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEA -----END RSA PRIVATE KEY----- loaded', 'MIIEowIBAAKCAQEA'],
  ['conninfo: host=db port=5432 user=app password=Pa55word dbname=x', 'Pa55word'],
  ['env SECRET_KEY_BASE=0123456789abcdef0123', '0123456789abcdef0123'],
  // Short lower-case values are secrets too; only a sentence's common word is left (review of the prose rule).
  ['secret: changeme', 'changeme'],
  ['token: abcdefghij', 'abcdefghij'],
  ['DB_TOKEN: xyzzyplugh', 'xyzzyplugh'],
  ['loaded config api_key: set', ': set'],
  ['auth: expired', 'expired'],
  ['using token: hunter', 'hunter'],
  // SQL (issue 19): E'...' with a backslash escape, a bare word (a syntax error's STATEMENT), SET ... TO,
  // also in a normalised statement, and curl's -u in a COPY ... TO PROGRAM.
  ["STATEMENT:  ALTER ROLE app PASSWORD E'escapedPwQ3\\'x';", 'escapedPwQ3'],
  ['STATEMENT:  ALTER ROLE app WITH LOGIN CONNECTION LIMIT 5 PASSWORD hunter2bare;', 'hunter2bare'],
  ['CREATE USER bob PASSWORD easyword', 'easyword'],
  ['statement: SET app.token TO bareTokenWord;', 'bareTokenWord'],
  ['set session my.api_key to abcdefgh', 'abcdefgh'],
  ['ALTER DATABASE shop SET app.secret TO \'quotedSecretWord\'', 'quotedSecretWord'],
  ["COPY (SELECT 1) TO PROGRAM 'curl -s -u admin:curlPw6464 https://backup.internal/upload'", 'curlPw6464'],
  ['curl --user admin:curlPw6464 https://x', 'curlPw6464'],
  // Commands that take a user and password as one argument, or a password as a flag's value (issue 19).
  ['curl -sSu admin:curlPwCombined https://x', 'curlPwCombined'],
  ['curl -x http://proxy:3128 --proxy-user bob:proxyPw77 https://x', 'proxyPw77'],
  ['http -a bob:httpiePw55 GET https://api.example.com/me', 'httpiePw55'],
  ['healthcheck: redis-cli -h redis.railway.internal -a s3cretRedisPw ping', 's3cretRedisPw'],
  ['mysqldump -h db -uroot -pMyS3cretPw shop', 'MyS3cretPw'],
];

// Lines that must come out unchanged: ordinary log messages that mention secret-ish words.
const NEGATIVE: string[] = [
  'Materialization loop error:',
  'Database session error: ',
  'Request failed: GET /dashboard',
  'Token refresh with DB locking succeeded for 2 users',
  'Token refresh failed',
  'Bearer token missing from request',
  'Basic auth is disabled',
  'password reset email sent to user 42',
  'Login failed: wrong password',
  'could not receive data from client: Connection reset by peer',
  'connection authorized: user=postgres database=railway application_name=psql',
  'connecting to postgres://db.internal:5432/main',
  'visit https://example.com/docs/page',
  'GET /api/tasks?page=2&limit=50 200 12ms',
  '2026-02-07T19:12:02Z uvicorn started on http://0.0.0.0:8080',
  'checkpoint complete: wrote 12 buffers (0.1%); 0 WAL file(s) added',
  'user alice@example.com signed in',
  'duration: 123.456 ms  statement: SELECT * FROM tasks WHERE id = $1',
  'Startup complete (3.2s)',
  'Starting Container',
  'author=Tolkien title=Hobbit',
  // Ids, hashes and template text hindsight needs.
  'deploymentId=5d80f299-e6ea-4c59-9e7c-cfce50d3f4b5 instance 3a6f4b90-91e2-4511-b00a-f120172529ba',
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 deployed',
  'commit 9FCEB02D0AE598E95DC970B74767F19372D61AF8 deployed',
  "SELECT * FROM users WHERE password_hash = $1 AND md5(email) = 'd41d8cd98f00b204e9800998ecf8427e'",
  'UPDATE sessions SET last_seen = now() WHERE id = $1',
  'FATAL:  password authentication failed for user "app"',
  'Request failed: GET <*> (<*> ms)',
  'request_id=645340ce102b trace=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'bypass cache for /api/v1/items, compass heading 270',
  'tests: 12 passed, 0 failed',
  'Sending 34 messages to queue celery@worker-1 (task id 7d3e0c9a-0bd2-4a6e-9a41-2f3b1f4d8e11)',
  'GET https://api.example.com/v1/users/12345/orders?page=2',
  'ssh://git@github.com/acme/api.git fetched',
  'postgres://postgres@localhost:5432/railway',
  'no Railway token: set RAILWAY_TOKEN (a project token) or RAILWAY_API_TOKEN',
  'session auth: expired, signing in again',
  'request failed, token: missing',
  'statement: SET search_path TO public',
  'statement: ALTER ROLE app PASSWORD NULL',
  'statement: set app.token to $1',
  'duration: <*> ms statement: set app.token to ?;',
  'DETAIL:  User "app" has no password assigned.',
  'pg_dump -U postgres -d railway',
  // `-u` of commands that take no credential with it (issue 19: they were redacted).
  'ps -u app:staff -o pid,cmd',
  'sort -u users.txt: 3 lines',
  'docker run -u 1000:1000 --rm app:latest',
  'sudo -u postgres:admin psql',
  'curl -s https://x | sort -u a:b',
  'mysql -u root -p shop',
  // Identifiers that hold a token's prefix without its shape (issue 19: a token may start after a `_`).
  'my_function_name_ghp_short failed',
  'ASIA_REGION=ap-south-1 AWS_REGION_ASIAPACIFIC',
  'celery_task_sk_live_mode enabled; pk_test_x',
  'config.keyRotation monkey-0123456789abcdef0123456789abcdef',
  'feature_flag_hf_cache npm_package_version=1.2.3',
];

describe('redact', () => {
  it.each(POSITIVE)('redacts the secret in %s', (line, secret) => {
    const out = redact(line);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED/);
  });

  it.each(NEGATIVE)('leaves %s alone', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('keeps the parts around a secret readable', () => {
    expect(redact('connecting to postgres://app:s3cr3t@db:5432/main failed')).toBe('connecting to postgres://app:[REDACTED]@db:5432/main failed');
    expect(redact('GET /reset?token=abc123def&user=3')).toBe('GET /reset?token=[REDACTED]&user=3');
    expect(redact('Authorization: Bearer abc.def-123_456')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact('{"password":"x y","user":"bob"}')).toBe('{"password":"[REDACTED]","user":"bob"}');
  });

  it('shows control characters as their pictures, so that a report cannot act on a terminal', () => {
    expect(redact('a\u001b[2Jb\u0007c\u0008d\u007fe\u009bf')).toBe('a␛[2Jb␇c␈d␡e\ufffdf');
    expect(redact('Traceback:\n\tFile "x.py"\r\n')).toBe('Traceback:\n\tFile "x.py"\r\n');
    expect(redact('Zürich → 東京 😀')).toBe('Zürich → 東京 😀');
  });

  it('redacts every shape of the corpus, alone and in text (300 fresh instances each)', () => {
    const r = rng(19);
    for (const shape of SECRET_SHAPES) {
      for (let k = 0; k < 300; k++) {
        const { text, secret } = shape.make(r);
        for (const around of [text, `x ${text} y`, `"${text}"`, `msg=${text},`, `(${text})`]) {
          expect(leakedPiece(secret, redact(around)), `${shape.name}: ${around}`).toBeNull();
        }
      }
    }
  });

  it('redacts a token glued to a name by _, -, . or a camel-case joint (issue 19: tok_ghp_..., x_sk_live_...)', () => {
    const r = rng(1919);
    for (const shape of SECRET_SHAPES) {
      for (let k = 0; k < 50; k++) {
        const { text, secret } = shape.make(r);
        for (const around of [`tok_${text}`, `x_${text}_y`, `id-${text}`, `cfg.${text}`, `value=abc_${text}`]) {
          expect(leakedPiece(secret, redact(around)), `${shape.name}: ${around}`).toBeNull();
        }
      }
    }
    expect(redact('AWS_KEY_AKIAIOSFODNN7EXAMPLE_ID')).toBe('AWS_KEY_[REDACTED-KEY]_ID');
    expect(redact('awsAKIAIOSFODNN7EXAMPLE')).toBe('aws[REDACTED-KEY]');
  });

  it('runs in time linear in its input, also on text made to make regexes backtrack', () => {
    for (const unit of ['a.', 'password', 'http://', 'a://b:', 'password="', 'Bearer ', "PASSWORD '", 'QWxh', 'token: ', 'ROLE a ', 'SET x_token ', ' -u a:']) {
      const small = unit.repeat(Math.ceil(10_000 / unit.length));
      const big = unit.repeat(Math.ceil(80_000 / unit.length));
      // Warmed up, the best of three runs each (a loaded machine slows some runs, never speeds one).
      const best = (text: string) => {
        redact(text);
        return Math.min(...[1, 2, 3].map(() => {
          const t0 = performance.now();
          redact(text);
          return performance.now() - t0;
        }));
      };
      const [tSmall, tBig] = [best(small), best(big)];
      // Eight times the input: well under 64 times the time (quadratic), with room for noise.
      expect(tBig, unit).toBeLessThan(Math.max(200, 24 * tSmall));
    }
  });

  it('redacts a value registered at run time, whatever its shape', () => {
    registerSecret('0f3c2a9e-railway-token-value');
    expect(redact('request with 0f3c2a9e-railway-token-value failed')).toBe('request with [REDACTED] failed');
  });

  it('is idempotent', () => {
    for (const [line] of POSITIVE) expect(redact(redact(line))).toBe(redact(line));
  });

  it('shows bidirectional controls escaped, and inline text on one line', () => {
    expect(redact('invoice\u202Efdp.exe \u2066x\u2069')).toBe('invoice[U+202E]fdp.exe [U+2066]x[U+2069]');
    expect(inline('api\n# heading\r\n\tx\u2028y')).toBe('api␤# heading␍␤␉x␤y');
    expect(inline('svc password=hunter22\nx')).toBe('svc password=[REDACTED]␤x');
  });

  it('cuts a value only after redacting it whole', () => {
    const url = 'postgres://app:Straddle9Pass@db:5432/x';
    for (let cut = 0; cut < url.length + 5; cut++) {
      const text = 'y'.repeat(30) + url + ' tail';
      const out = cutText(text, 30 + cut);
      expect(out.length).toBeLessThanOrEqual(30 + cut + 1);
      expect(out, `cut at ${cut}`).not.toMatch(/Stra|ddle9/);
    }
    expect(cutText('short', 10)).toBe('short');
    expect(cutText('a'.repeat(20), 10, '…[cut]')).toBe('a'.repeat(10) + '…[cut]');
    // Never half a surrogate pair.
    expect(cutText('ab😀cd', 3)).toBe('ab…');
    expect(redactSecrets('a\u0007b')).toBe('a\u0007b');
  });

  it('redacts every string of a nested structure, keys included, and copies typed arrays', () => {
    const input = {
      text: 'password=hunter22',
      list: ['token=abc123456', 3, null, { deep: 'postgres://u:pw12345@h/db' }],
      times: new Float64Array([1, 2]),
      'password=keyleak1': true,
    };
    const out = redactDeep(input);
    const json = JSON.stringify(out);
    expect(json).not.toContain('hunter22');
    expect(json).not.toContain('abc123456');
    expect(json).not.toContain('pw12345');
    expect(json).not.toContain('keyleak1');
    expect(out.times).toEqual([1, 2]);
    expect(input.text).toBe('password=hunter22');
  });

  it("redacts the word PostgreSQL's syntax error quotes when it is a secret of the statement, and only then", () => {
    expect(redactSyntaxErrorWord('syntax error at or near "hunterbare" at character 25', 'ALTER ROLE app PASSWORD hunterbare;')).toBe('syntax error at or near "[REDACTED]" at character 25');
    expect(redactSyntaxErrorWord('syntax error at or near "FORM" at character 10', 'SELECT * FORM t')).toBe('syntax error at or near "FORM" at character 10');
    expect(redactSyntaxErrorWord('relation "x" does not exist', 'ALTER ROLE app PASSWORD x')).toBe('relation "x" does not exist');
  });
});
