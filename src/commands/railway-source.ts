// What `pull railway`, `analyze --railway` and `digest --railway` share: the options that name a
// Railway project, environment, services and window; the client built from the environment's
// token; and the progress line on a terminal while pages come in.
import { Option, type Command } from 'commander';
import { Interrupted, RailwayClient, RailwayError, tokenFromEnv } from '../sources/railway/client.js';
import { pullRailway, type Position, type PullProgress, type PullRecord } from '../sources/railway/pull.js';
import { humanSeconds, int, plural } from '../words.js';
import { inline } from '../redact.js';
import { UsageError, type Io } from './io.js';
import { parseTimeSpec } from './time-range.js';

export interface RailwayOptions {
  project?: string;
  environment?: string;
  service?: string[];
  since?: string;
  until?: string;
  progress?: boolean;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** The options naming what to fetch (for `pull railway`; analyze and digest take them after --railway). */
export function addRailwayOptions(cmd: Command, opts: { serviceOption: boolean }): Command {
  cmd.option('--project <id>', 'Railway project id (Project Settings, or `railway status --json`)').option('--environment <name|id>', 'environment of the project (e.g. production)');
  if (opts.serviceOption) cmd.addOption(new Option('--service <name|id>', 'only this service (repeat for several; default: every service of the environment)').argParser(collect));
  return cmd;
}

/** The window as epoch ms: relative times count back from now, as Railway's CLI does. */
export function railwayWindow(opts: RailwayOptions): { since: number; until: number } {
  if (opts.since === undefined) throw new UsageError('--since is required with Railway: how far back to fetch (e.g. --since 24h, or an ISO time)');
  const now = Date.now();
  const at = (text: string, flag: string) => {
    const t = parseTimeSpec(text, flag);
    return t.kind === 'relative' ? now - t.ms : t.ms;
  };
  const since = at(opts.since, '--since');
  const until = opts.until !== undefined ? Math.min(now, at(opts.until, '--until')) : now;
  if (since > until) throw new UsageError(`--since ${opts.since} is after --until ${opts.until ?? 'now'}`);
  return { since, until };
}

/** Checks that the options name a project and an environment. */
export function requireTarget(opts: RailwayOptions): { project: string; environment: string; services: string[] } {
  if (!opts.project) throw new UsageError('--project is required with Railway (the project id: Project Settings in the dashboard, or `railway status --json`)');
  if (!opts.environment) throw new UsageError('--environment is required with Railway (its name, e.g. production, or its id)');
  return { project: opts.project, environment: opts.environment, services: opts.service ?? [] };
}

/** A progress line on a terminal's standard error, redrawn at most ten times a second; nothing elsewhere. */
export function railwayProgress(io: Io, enabled: boolean): { onProgress: (p: PullProgress) => void; onWait: (s: number, why: string) => void; done: () => void } {
  if (!enabled || io.stderrIsTTY !== true) return { onProgress: () => {}, onWait: () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  // Service names come from Railway: shown inline and redacted, like every name hindsight prints.
  const draw = (line: string) => {
    io.stderr(`\r${inline(line)}\u001b[K`);
    drawn = true;
  };
  return {
    onProgress: (p) => {
      const t = Date.now();
      if (t - last < 100) return;
      last = t;
      const left = p.remaining === null ? '' : ` · ${int(p.remaining)} requests left this hour`;
      draw(`railway: ${p.service} (${p.serviceIndex} of ${p.services}) · ${plural(p.pages, 'page')} · ${plural(p.lines, 'line')}${left}`);
    },
    onWait: (s, why) => draw(`railway: ${why}: ${humanSeconds(s)}`),
    done: () => {
      if (drawn) io.stderr('\r\u001b[K');
    },
  };
}

/**
 * Fetches the window into `dir` (see sources/railway/pull.ts), with the token from the
 * environment, the endpoint from HINDSIGHT_RAILWAY_URL, progress on a terminal, and Ctrl-C
 * stopping the fetch with what was read kept.
 */
export async function fetchRailway(opts: RailwayOptions, io: Io, dir: string, signal: AbortSignal, from?: Record<string, Position>, window = railwayWindow(opts)): Promise<PullRecord> {
  const target = requireTarget(opts);
  const env = io.env ?? process.env;
  const progress = railwayProgress(io, opts.progress !== false);
  const client = new RailwayClient({ url: env.HINDSIGHT_RAILWAY_URL || undefined, token: tokenFromEnv(env), signal, onWait: progress.onWait });
  try {
    return await pullRailway(client, { ...target, ...window, from }, dir, {
      onProgress: progress.onProgress,
      onNote: (m) => io.stderr(`hindsight: ${m}\n`),
    });
  } catch (e) {
    // Stopped while finding the project, before anything could be kept.
    if (e instanceof Interrupted) throw new RailwayError('interrupted before anything was fetched');
    throw e;
  } finally {
    progress.done();
  }
}

/** The record's warnings and what is missing, as lines for standard error. */
export function pullWarnings(record: PullRecord): string[] {
  return [...record.warnings.map((w) => `warning: ${w}`), ...record.missing.map((m) => `missing: ${m.what} (${m.why})`)];
}
