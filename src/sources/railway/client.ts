// Railway's public GraphQL API over Node's own fetch: authentication as Railway's CLI does it, and
// what a long export meets on the way (rate limits, dropped connections, GraphQL errors). The
// token goes into one request header and nowhere else: errors and progress name the variable it
// came from, never its value, and any text from the server is cleaned of it before it is shown.
import { InputError } from '../../ingest/input-error.js';
import { registerSecret } from '../../redact.js';

/** Railway's public endpoint (the CLI's `backboard`). */
export const RAILWAY_URL = 'https://backboard.railway.com/graphql/v2';

export interface RailwayToken {
  /** The variable it came from, to name in messages. */
  variable: 'RAILWAY_TOKEN' | 'RAILWAY_API_TOKEN';
  value: string;
}

/** The token as Railway's CLI takes it: a project token (RAILWAY_TOKEN) first, else an account or team token (RAILWAY_API_TOKEN). */
export function tokenFromEnv(env: NodeJS.ProcessEnv): RailwayToken {
  const project = env.RAILWAY_TOKEN?.trim();
  if (project) return secret({ variable: 'RAILWAY_TOKEN', value: project });
  const account = env.RAILWAY_API_TOKEN?.trim();
  if (account) return secret({ variable: 'RAILWAY_API_TOKEN', value: account });
  throw new RailwayError('no Railway token: set RAILWAY_TOKEN (a project token) or RAILWAY_API_TOKEN (an account or team token); docs/railway.md says how to make one');
}

/** The token, registered with the redaction every output goes through: wherever its value would appear, it does not. */
function secret(token: RailwayToken): RailwayToken {
  registerSecret(token.value);
  return token;
}

/** Why a fetch from Railway stopped (exit code 2): bad token, unknown project, GraphQL errors, a network that does not come back. */
export class RailwayError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'RailwayError';
  }
}

/** Thrown when the run was interrupted (Ctrl-C) while a request was in flight or waiting. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface ClientOptions {
  url?: string;
  token: RailwayToken;
  /** Aborts a request in flight and any wait (Ctrl-C). */
  signal?: AbortSignal;
  /** Told when the client waits (a 429, a retry), for progress. */
  onWait?: (seconds: number, why: string) => void;
  /** Tries of one request on a network error or a 5xx before giving up (default 6). */
  tries?: number;
  /** First backoff in ms (doubled at each try; default 500). */
  backoffMs?: number;
}

/** What the client has seen of the rate limit. */
export interface RateInfo {
  requests: number;
  /** Requests left in the hour, from X-RateLimit-Remaining (null until a response says). */
  remaining: number | null;
  /** Seconds spent waiting on 429s and retries. */
  waitedSeconds: number;
}

/** The endpoint the token goes to: https, or plain http to this machine only (elsewhere the token would travel in clear). */
function endpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RailwayError('HINDSIGHT_RAILWAY_URL is not a URL');
  }
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return url;
  throw new RailwayError(`HINDSIGHT_RAILWAY_URL ${u.origin}: only https is used (plain http only to this machine), the token would travel in clear`);
}

/** A GraphQL client for one token and endpoint. */
export class RailwayClient {
  readonly rate: RateInfo = { requests: 0, remaining: null, waitedSeconds: 0 };
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: ClientOptions) {
    this.url = endpoint(options.url ?? RAILWAY_URL);
    const t = options.token;
    this.headers = { 'content-type': 'application/json', 'user-agent': 'hindsight' };
    if (t.variable === 'RAILWAY_TOKEN') this.headers['project-access-token'] = t.value;
    else this.headers.authorization = `Bearer ${t.value}`;
  }

  /** Runs one query; returns its `data`. Waits out 429s, retries network errors and 5xx with backoff. */
  async query<T>(document: string, variables: Record<string, unknown>): Promise<T> {
    const tries = this.options.tries ?? 6;
    let backoff = this.options.backoffMs ?? 500;
    const body = JSON.stringify({ query: document, variables });
    for (let attempt = 1; ; attempt++) {
      this.checkAborted();
      let res: Response;
      try {
        this.rate.requests++;
        res = await fetch(this.url, { method: 'POST', headers: this.headers, body, signal: this.options.signal });
      } catch (e) {
        this.checkAborted();
        if (attempt >= tries) throw new RailwayError(`cannot reach ${this.url}: ${this.clean(causeOf(e))} (after ${attempt} tries)`);
        await this.wait(backoff / 1000, `network error (${this.clean(causeOf(e))}), retrying`);
        backoff *= 2;
        continue;
      }
      const remaining = Number(res.headers.get('x-ratelimit-remaining') ?? NaN);
      if (Number.isFinite(remaining)) this.rate.remaining = remaining;
      if (res.status === 429) {
        await res.body?.cancel().catch(() => undefined);
        await this.wait(retryAfter(res.headers), 'rate limited by Railway, waiting as it asks');
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => undefined);
        throw new RailwayError(`Railway refused the token in ${this.options.token.variable} (HTTP ${res.status}): it is wrong, expired, or has no access to this project`);
      }
      if (res.status >= 500) {
        await res.body?.cancel().catch(() => undefined);
        if (attempt >= tries) throw new RailwayError(`Railway answered HTTP ${res.status} ${tries} times in a row (${this.url})`);
        await this.wait(backoff / 1000, `HTTP ${res.status} from Railway, retrying`);
        backoff *= 2;
        continue;
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        this.checkAborted();
        if (attempt >= tries) throw new RailwayError(`the answer from ${this.url} was cut off: ${this.clean(causeOf(e))}`);
        await this.wait(backoff / 1000, 'answer cut off, retrying');
        backoff *= 2;
        continue;
      }
      let reply: { data?: T; errors?: { message?: string }[] };
      try {
        reply = JSON.parse(text);
      } catch {
        throw new RailwayError(`${this.url} answered HTTP ${res.status} with something that is not JSON: ${this.clean(text.slice(0, 120))}`);
      }
      if (Array.isArray(reply.errors) && reply.errors.length > 0) {
        const said = reply.errors.map((e) => e?.message ?? JSON.stringify(e)).join('; ');
        // A project token is scoped to one environment of one project (guide): the likely why, said.
        const scope = this.options.token.variable === 'RAILWAY_TOKEN' && /not authori[sz]ed/i.test(said) ? ' (a project token in RAILWAY_TOKEN sees only the environment it was made for)' : '';
        throw new RailwayError(`Railway answered with an error: ${this.clean(said)}${scope}`);
      }
      if (res.status !== 200 || reply.data === undefined || reply.data === null) throw new RailwayError(`Railway answered HTTP ${res.status} without data`);
      return reply.data;
    }
  }

  /** Text from the server or the network with the token taken out, should it be echoed. */
  private clean(s: string): string {
    return s.split(this.options.token.value).join(`$${this.options.token.variable}`);
  }

  private checkAborted(): void {
    if (this.options.signal?.aborted) throw new Interrupted();
  }

  private async wait(seconds: number, why: string): Promise<void> {
    this.options.onWait?.(seconds, why);
    this.rate.waitedSeconds += seconds;
    await sleep(seconds * 1000, this.options.signal);
  }
}

/** Seconds a 429 asks to wait: Retry-After (seconds or an HTTP date), else X-RateLimit-Reset (epoch seconds), else a minute. */
export function retryAfter(h: Headers, now = Date.now()): number {
  const ra = h.get('retry-after');
  if (ra !== null) {
    const s = Number(ra);
    if (Number.isFinite(s)) return Math.max(0, s);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, (at - now) / 1000);
  }
  const reset = Number(h.get('x-ratelimit-reset') ?? NaN);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset - now / 1000);
  return 60;
}

function causeOf(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Interrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
