// Recognising user-facing request failures among kept events: the records that mean "a user's
// request failed" (an HTTP 5xx, "Request failed: GET /dashboard", "Exception in ASGI application"),
// and the `METHOD /path` they name. Shared by the detectors that weigh impact on users.
// Runs only on kept warning-or-worse events a detector already selected, never per input line.
import type { LogEvent } from '../../model.js';
import { LEVEL_RANK } from '../../model.js';
import { normalisePath } from '../../timeline/request-latency.js';

/** The request a record names. `path` is normalised: no query string, ids masked as `:id`. */
export interface RequestRef {
  method: string;
  path: string;
  status: number | null;
}

// `GET /path`, optionally followed by the status as access logs write it (`GET /x HTTP/1.1" 502`, `GET /x 500`).
// The path stops before punctuation that ends it in prose ("on POST /jobs/7/cancel: timeout").
const METHOD_PATH = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[^\s"']*?)[:,;.)]*(?=[\s"']|$)(?:\s+HTTP\/[\d.]+"?)?(?:\s+(?:->\s*)?([1-5]\d\d)\b)?/;
const STATUS = /\b(?:status(?:[ _-]?code)?\s*[=:]?\s*|returned\s+|responded\s+(?:with\s+)?)([1-5]\d\d)\b|\b(5\d\d)\s+(?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/i;
const SERVER_FAILURE = /Exception in ASGI application|Exception on \/|Internal Server Error|[Uu]nhandled (?:[Ee]xception|[Ee]rror|[Rr]ejection)/;
/** A 5xx as its own token ("status=503", " 500 Internal"): the cheap gate before STATUS. */
const STATUS_HINT = /[\s=:(]5\d\d\b/;
/** A request failure says so in its first line; a traceback's other lines are not looked at. */
const HEAD_CHARS = 300;

function headOf(msg: string): string {
  if (msg.length <= HEAD_CHARS && msg.indexOf('\n') === -1) return msg;
  const nl = msg.indexOf('\n');
  return msg.slice(0, nl === -1 ? HEAD_CHARS : Math.min(nl, HEAD_CHARS));
}

const METHOD_KEYS = ['method', 'http_method', 'httpMethod', 'request_method', 'http.method', 'http.request.method'];
const PATH_KEYS = ['path', 'route', 'url_path', 'urlPath', 'http.route', 'url.path', 'request_path', 'http.target', 'url', 'uri'];
const STATUS_KEYS = ['httpStatus', 'status', 'status_code', 'statusCode', 'http_status', 'http.status_code', 'http.response.status_code'];

/** The request (method, normalised path, status) an event names in its attributes or message, if any. */
export function requestOf(ev: LogEvent): RequestRef | null {
  const raw = rawRequestOf(ev);
  if (raw === null || raw.method === '') return raw;
  return { method: raw.method, path: normalisePath(raw.path), status: raw.status };
}

/** Like requestOf, but with the path as written (no normalisation): the cheap form for yes/no questions. */
function rawRequestOf(ev: LogEvent, useAttrs = true): RequestRef | null {
  const a = useAttrs ? ev.attrs : undefined;
  let method: string | null = null;
  let path: string | null = null;
  let status: number | null = null;
  if (a !== undefined) {
    method = stringAttr(a, METHOD_KEYS);
    // No method, no request: skip the ten path spellings (misses are most of the cost here).
    path = method !== null ? stringAttr(a, PATH_KEYS) : null;
    status = numberAttr(a, STATUS_KEYS);
    if (path !== null && path.charCodeAt(0) !== 47 /* / */) {
      // A full URL: keep its path.
      const m = /^[a-z]+:\/\/[^/]+(\/[^?#]*)?/i.exec(path);
      path = m ? (m[1] ?? '/') : null;
    }
  }
  const msg = headOf(ev.message);
  // Regexes only when the message can hold what they look for (this runs on every kept error).
  if ((method === null || path === null) && msg.indexOf(' /') !== -1) {
    const m = METHOD_PATH.exec(msg);
    if (m) {
      method = m[1]!;
      path = m[2]!;
      if (status === null && m[3] !== undefined) status = Number(m[3]);
    }
  }
  // A status in the text matters for a request it names (404 vs 500) or when it is a 5xx.
  if (status === null && ((method !== null && path !== null) || STATUS_HINT.test(msg))) {
    const m = STATUS.exec(msg);
    if (m) status = Number(m[1] ?? m[2]);
  }
  if (method === null || path === null) return status !== null ? { method: '', path: '', status } : null;
  return { method: method.toUpperCase(), path, status };
}

/**
 * Whether an error-or-worse event is a user-facing failure: it names a request that did not get a
 * 4xx answer, carries a 5xx status, or is a web framework's unhandled-exception line.
 */
export function isUserFacingFailure(ev: LogEvent, ref: RequestRef | null = rawRequestOf(ev)): boolean {
  if (LEVEL_RANK[ev.level] < LEVEL_RANK.error) return false;
  if (ref !== null) {
    if (ref.status !== null) return ref.status >= 500;
    return ref.method !== '';
  }
  return SERVER_FAILURE.test(headOf(ev.message));
}

/**
 * Judges many events of the same few templates, cheaply. Two costs dominate on big logs: attribute
 * reads (JSON attributes are parsed on first read) and regexes over every message. So: after three
 * records of a template without request attributes (method or status), its records are judged by
 * message alone; and once five records of such a template agree, the rest take the same verdict
 * (a template's text says whether it is a request failure). Templates whose records disagree, or
 * that carry request attributes (a status can differ per record), are judged record by record.
 */
export class UserFacingJudge {
  /** Per template: records seen without request attributes, or −1 once one had them. */
  private readonly attrless = new Map<number, number>();
  /** Per template: message-only verdicts so far, [yes, no]. */
  private readonly votes = new Map<number, [number, number]>();

  /** Whether the event is a user-facing failure (see isUserFacingFailure). */
  judge(ev: LogEvent & { template: number }): boolean {
    if (LEVEL_RANK[ev.level] < LEVEL_RANK.error) return false;
    const seen = this.attrless.get(ev.template) ?? 0;
    if (seen === -1 || (seen < 3 && ev.attrs !== undefined)) {
      const a = ev.attrs!;
      const fromAttrs = stringAttr(a, METHOD_KEYS) !== null || numberAttr(a, STATUS_KEYS) !== null;
      if (seen !== -1) this.attrless.set(ev.template, fromAttrs ? -1 : seen + 1);
      if (fromAttrs) return isUserFacingFailure(ev, rawRequestOf(ev, true));
    }
    let vote = this.votes.get(ev.template);
    if (vote === undefined) {
      vote = [0, 0];
      this.votes.set(ev.template, vote);
    }
    if (vote[0] >= SETTLE && vote[1] === 0) return true;
    if (vote[1] >= SETTLE && vote[0] === 0) return false;
    const v = isUserFacingFailure(ev, rawRequestOf(ev, false));
    vote[v ? 0 : 1]++;
    return v;
  }
}

/** Agreeing records after which a template's message-only verdict is taken for all its records. */
const SETTLE = 5;

/** `GET /tasks/:id` style label of a request. */
export function endpointOf(ref: RequestRef): string | null {
  return ref.method !== '' && ref.path !== '' ? `${ref.method} ${ref.path}` : null;
}

function stringAttr(a: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return null;
}

function numberAttr(a: Record<string, unknown>, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599) return v;
    if (typeof v === 'string' && /^[1-5]\d\d$/.test(v)) return Number(v);
  }
  return null;
}
