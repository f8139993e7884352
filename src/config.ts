// hindsight.config.json: detector thresholds, service aliases, known periodic jobs, prices and
// templates to ignore (docs/config.md). Read from `--config FILE` or, when there is none, from
// `hindsight.config.json` in the working directory. Strict: an unknown key or a value of the wrong
// type is an error naming the key, because a silently ignored threshold is worse than none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionRange, rangeText, type Detector, type DetectorOptionValue, type OptionRange } from './detectors/detector.js';
import { DETECTORS } from './detectors/registry.js';
import { encodeJob } from './detectors/known-jobs.js';
import type { DetectorConfig } from './pipeline.js';

export const CONFIG_FILE = 'hindsight.config.json';

/** A periodic job the user knows about: its messages match `match`, and it runs every `periodSeconds`. */
export interface PeriodicJob {
  match: string;
  periodSeconds: number;
  service?: string;
}

export interface HindsightConfig {
  /** The file read, or null when there was none. */
  path: string | null;
  /** Options per detector id, validated against each detector's defaults. */
  detectors: DetectorConfig;
  /** Service name as found in the inputs → name to report it under. */
  services: Record<string, string>;
  periodicJobs: PeriodicJob[];
  /** Prices for the cost-breakdown detector (its option names), already merged into `detectors`. */
  prices: Record<string, number>;
  /** Regular expressions (sources); records whose message matches any are left out. */
  ignoreTemplates: string[];
}

/** A configuration file that cannot be used (exit code 2). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const TOP_KEYS = ['$schema', 'detectors', 'services', 'periodicJobs', 'prices', 'ignoreTemplates'] as const;
/** Keys refused in `services`, whose keys are names from the inputs rather than a fixed set. */
const RESERVED_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];
const COST_DETECTOR = 'cost-breakdown';
const KNOWN_JOBS = 'known-jobs';

/** The empty configuration (no file). */
export function emptyConfig(): HindsightConfig {
  return { path: null, detectors: {}, services: {}, periodicJobs: [], prices: {}, ignoreTemplates: [] };
}

/**
 * Loads the configuration: `explicit` when given (it must exist), else `hindsight.config.json` in
 * `cwd` when present, else the empty configuration.
 */
export function loadConfig(explicit: string | undefined, cwd: string = process.cwd(), detectors: readonly Detector[] = DETECTORS): HindsightConfig {
  // Named as the user would: `hindsight.config.json` when it is the working directory's.
  const path = explicit ?? (cwd === process.cwd() ? CONFIG_FILE : join(cwd, CONFIG_FILE));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (explicit === undefined && code === 'ENOENT') return emptyConfig();
    throw new ConfigError(`cannot read the configuration ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, path, detectors);
}

/** Validates a parsed configuration object; `path` names it in errors. */
export function parseConfig(raw: unknown, path: string, detectors: readonly Detector[] = DETECTORS): HindsightConfig {
  const fail = (key: string, msg: string): never => {
    throw new ConfigError(`${path}: ${key}: ${msg}`);
  };
  if (!isObject(raw)) fail('(top level)', 'expected an object');
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) fail(k, `unknown key; known keys: ${TOP_KEYS.filter((x) => x !== '$schema').join(', ')}`);
  }
  const cfg = emptyConfig();
  cfg.path = path;

  if (obj.detectors !== undefined) {
    if (!isObject(obj.detectors)) fail('detectors', 'expected an object of detector ids');
    for (const [id, opts] of Object.entries(obj.detectors as Record<string, unknown>)) {
      const d = detectors.find((x) => x.meta.id === id);
      if (!d) fail(`detectors.${id}`, `unknown detector; known detectors: ${detectors.map((x) => x.meta.id).join(', ') || '(none)'}`);
      if (!isObject(opts)) fail(`detectors.${id}`, 'expected an object of thresholds');
      cfg.detectors[id] = checkOptions(d!, opts as Record<string, unknown>, `detectors.${id}`, fail);
    }
  }

  if (obj.services !== undefined) {
    if (!isObject(obj.services)) fail('services', 'expected an object mapping a service name in the logs to the name to report');
    for (const [from, to] of Object.entries(obj.services as Record<string, unknown>)) {
      // Names every object has: `__proto__` would set the map's prototype (the alias silently
      // lost), `constructor` and `prototype` shadow what the map inherits.
      if (RESERVED_NAMES.includes(from)) fail(`services.${from}`, 'a reserved name of JavaScript objects, not accepted as a service name');
      if (typeof to !== 'string' || to.length === 0) fail(`services.${from}`, 'expected a non-empty string');
      cfg.services[from] = to as string;
    }
  }

  if (obj.periodicJobs !== undefined) {
    if (!Array.isArray(obj.periodicJobs)) fail('periodicJobs', 'expected an array of {"match", "periodSeconds"}');
    (obj.periodicJobs as unknown[]).forEach((j, i) => {
      const key = `periodicJobs[${i}]`;
      if (!isObject(j)) fail(key, 'expected an object with "match" and "periodSeconds"');
      const job = j as Record<string, unknown>;
      for (const k of Object.keys(job)) if (!['match', 'periodSeconds', 'service'].includes(k)) fail(`${key}.${k}`, 'unknown key; known keys: match, periodSeconds, service');
      if (typeof job.match !== 'string' || job.match.length === 0) fail(`${key}.match`, 'expected a non-empty string (a regular expression)');
      checkRegex(job.match as string, `${key}.match`, fail);
      if (typeof job.periodSeconds !== 'number' || !(job.periodSeconds > 0)) fail(`${key}.periodSeconds`, 'expected a positive number');
      if (job.service !== undefined && typeof job.service !== 'string') fail(`${key}.service`, 'expected a string');
      cfg.periodicJobs.push({ match: job.match as string, periodSeconds: job.periodSeconds as number, ...(job.service !== undefined ? { service: job.service as string } : {}) });
    });
  }

  if (cfg.periodicJobs.length > 0) {
    if (!detectors.some((x) => x.meta.id === KNOWN_JOBS)) fail('periodicJobs', `there is no ${KNOWN_JOBS} detector to check them`);
    const given = cfg.detectors[KNOWN_JOBS]?.jobs;
    cfg.detectors[KNOWN_JOBS] = { ...(cfg.detectors[KNOWN_JOBS] ?? {}), jobs: [...(Array.isArray(given) ? (given as string[]) : []), ...cfg.periodicJobs.map(encodeJob)] };
  }

  if (obj.prices !== undefined) {
    if (!isObject(obj.prices)) fail('prices', 'expected an object of prices');
    const cost = detectors.find((x) => x.meta.id === COST_DETECTOR);
    if (!cost) fail('prices', `there is no ${COST_DETECTOR} detector to use them`);
    // Prices are the numeric options the detector documents in a currency (USD); the others are thresholds.
    const docs = (cost!.meta.optionDocs ?? {}) as Record<string, string | undefined>;
    const numeric = Object.entries(cost!.meta.defaults).filter(([, v]) => typeof v === 'number').map(([k]) => k);
    const documented = numeric.filter((k) => /\bUSD\b|\$/.test(docs[k] ?? ''));
    const priceKeys = documented.length > 0 ? documented : numeric;
    for (const [k, v] of Object.entries(obj.prices as Record<string, unknown>)) {
      if (!priceKeys.includes(k)) fail(`prices.${k}`, `unknown price; known prices: ${priceKeys.join(', ')}`);
      const range = optionRange(cost!.meta, k)!;
      if (typeof v !== 'number' || !inRange(v, range)) fail(`prices.${k}`, `expected ${rangeText(range)}, got ${JSON.stringify(v)}`);
      cfg.prices[k] = v as number;
    }
    cfg.detectors[COST_DETECTOR] = { ...(cfg.detectors[COST_DETECTOR] ?? {}), ...cfg.prices };
  }

  if (obj.ignoreTemplates !== undefined) {
    if (!Array.isArray(obj.ignoreTemplates)) fail('ignoreTemplates', 'expected an array of regular expressions');
    (obj.ignoreTemplates as unknown[]).forEach((p, i) => {
      if (typeof p !== 'string' || p.length === 0) fail(`ignoreTemplates[${i}]`, 'expected a non-empty string (a regular expression)');
      checkRegex(p as string, `ignoreTemplates[${i}]`, fail);
      cfg.ignoreTemplates.push(p as string);
    });
  }
  return cfg;
}

/** One regular expression matching any ignored template, or undefined when there are none. */
export function ignoreMatcher(cfg: HindsightConfig): RegExp | undefined {
  return cfg.ignoreTemplates.length === 0 ? undefined : new RegExp(cfg.ignoreTemplates.map((p) => `(?:${p})`).join('|'));
}

function checkOptions(d: Detector, opts: Record<string, unknown>, where: string, fail: (key: string, msg: string) => never): Record<string, DetectorOptionValue> {
  const out: Record<string, DetectorOptionValue> = {};
  const defaults = d.meta.defaults;
  for (const [k, v] of Object.entries(opts)) {
    // Own keys only: `toString` and `__proto__` are "in" every object.
    if (!Object.hasOwn(defaults, k)) fail(`${where}.${k}`, `unknown threshold; ${d.meta.id} takes: ${Object.keys(defaults).join(', ') || '(none)'}`);
    const def = defaults[k]!;
    const want = Array.isArray(def) ? (def.length > 0 ? `array of ${typeof def[0]}s` : 'array') : typeof def;
    const ok = Array.isArray(def)
      ? Array.isArray(v) && (def.length === 0 ? v.every((x) => typeof x === 'string') || v.every((x) => typeof x === 'number') : v.every((x) => typeof x === typeof def[0]))
      : typeof v === typeof def && (typeof v !== 'number' || Number.isFinite(v));
    if (!ok) fail(`${where}.${k}`, `expected ${want === 'number' ? 'a number' : want === 'string' ? 'a string' : want === 'boolean' ? 'true or false' : `an ${want}`} (default ${JSON.stringify(def)}), got ${JSON.stringify(v)}`);
    const range = optionRange(d.meta, k);
    if (range !== null && !inRange(v as number, range)) fail(`${where}.${k}`, `expected ${rangeText(range)} (default ${JSON.stringify(def)}), got ${JSON.stringify(v)}`);
    out[k] = v as DetectorOptionValue;
  }
  return out;
}

function inRange(v: number, r: OptionRange): boolean {
  return Number.isFinite(v) && v >= r.min && v <= r.max && (!r.integer || Number.isInteger(v));
}

function checkRegex(p: string, key: string, fail: (key: string, msg: string) => never): void {
  try {
    new RegExp(p);
  } catch (e) {
    fail(key, `not a valid regular expression: ${(e as Error).message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
