// Container and process lifecycle, read from the kept events of a timeline: the platform's
// "Starting Container"/"Stopping Container", Heroku's dyno lines, the app servers' and
// PostgreSQL's own start-up and shut-down lines, and the process ends the error vocabulary knows
// (exit codes, kills, fatal out-of-memory). Several detectors need the same answer (when did
// a container of which service start, stop, crash), so it is computed here once per summary.
//
// Three layers, each exported:
//   markers      one per matching line (what the line says: start, ready, stop, exit, failure);
//   transitions  the lines of one start (or one stop) of one container joined into one instant;
//   lives        a start paired with the stop that ended it: by deployment instance when the
//                lines carry Railway's deploymentId / deploymentInstanceId; otherwise by the server's
//                pid when both ends name it (a structured logger's pid on every line tells whose a stop
//                or crash line naming none is: the process that went quiet there), by which container
//                had not come up yet (a crash at boot), and by order. A life that crashed at boot ends at its crash, and a server
//                started again in place (no container line: PostgreSQL's postmaster, an app server),
//                or in a new container whose lines report the crash of the one before (PostgreSQL's
//                "database system was interrupted"), ends the life before it, which logged no stop
//                (or, when it is the service's first lifecycle line, a life that began before the logs);
//                so does any newer start of the service once the logs show it was no redeploy's
//                handover. Whether such a silent end was a crash comes from the program: its next
//                start says so, or it announces every clean stop (log-conventions.ts `shutdown`).
// Rules name the program that writes their line (Redis, puma, uvicorn, gunicorn, php-fpm, PostgreSQL).
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';
import { eventsOfTemplates } from './template-index.js';
import { matchVocabulary, vocabularyInterest, type Incident, type VocabularyEntry } from '../../ingest/error-vocabulary.js';
import { CONVENTIONS } from '../../ingest/log-conventions.js';
import type { ProcessSpan } from '../../timeline/process-spans.js';

/** What a lifecycle line says. `exit` carries an exit code; `failure` is a crash or failed boot. */
export type MarkerKind = 'start' | 'ready' | 'stop' | 'exit' | 'failure';

/**
 * Whose life the line is about: the container (platform lines), the server process inside it
 * (uvicorn, gunicorn master, PostgreSQL postmaster), or one worker of it (gunicorn workers,
 * PostgreSQL backends). Worker lines never open a container's start or stop on their own.
 */
export type MarkerScope = 'container' | 'process' | 'worker';

/** One lifecycle line. */
export interface LifecycleMarker {
  ts: number;
  service: string;
  kind: MarkerKind;
  scope: MarkerScope;
  /** Which rule matched (`railway-stop`, `uvicorn-shutdown`, ...). */
  label: string;
  deployment?: string;
  instance?: string;
  /** Reported start-up duration ("Startup complete (3.2s)", "Started App in 4.1 seconds"). */
  startupSeconds?: number;
  exitCode?: number;
  /** Signal named by the line (`SIGKILL`, `9`, `term`). */
  signal?: string;
  /** Application version from a start banner ("Starting Whendoist v0.39.8"). */
  version?: string;
  /** The line, written at boot, says the previous life ended in a failure (PostgreSQL's crash recovery). */
  previous?: boolean;
  /** Pid of the server process the line is about (uvicorn's "[pid]", PostgreSQL's postmaster). */
  pid?: number;
  /** The program that wrote it, when the rule knows (see Rule.program). */
  program?: string;
  event: TimelineEvent;
}

interface Rule {
  label: string;
  re: RegExp;
  kind: MarkerKind;
  scope: MarkerScope;
  /** Fields from the match; may override the kind (Heroku's "State changed from X to Y"). */
  read?: (m: RegExpExecArray) => Partial<Pick<LifecycleMarker, 'kind' | 'startupSeconds' | 'exitCode' | 'signal' | 'version' | 'previous' | 'pid'>> | null;
  /** Written once per life: the same line again is the next life, however soon it comes. */
  once?: boolean;
  /** Written by PostgreSQL's postmaster itself: the record's pid is the server's. */
  postmaster?: boolean;
  /** The server's last line: a failure after it is another life's. */
  last?: boolean;
  /** The line is read by the error vocabulary (src/ingest/error-vocabulary.ts), which names the label. */
  vocabulary?: boolean;
  /**
   * The program that writes the line: its convention's id in src/ingest/log-conventions.ts (whose
   * `shutdown` says whether it announces a clean stop), or `postgres`.
   */
  program?: string;
}

type Classified = Omit<LifecycleMarker, 'ts' | 'service' | 'event' | 'deployment' | 'instance'>;

const VOCABULARY_INCIDENTS: readonly Incident[] = ['process-exit', 'out-of-memory'];

/** A vocabulary entry after which the process is gone: an exit, or an out-of-memory end that implies one (not a caught MemoryError). */
const endsProcess = (e: VocabularyEntry) => e.incident === 'process-exit' || e.implies?.exitCode !== undefined || e.implies?.signal !== undefined;

const secondsOf = (v: string, unit: string | undefined) => (unit === 'ms' ? Number(v) / 1000 : Number(v));

/** The pid a rule's first group holds, when it matched. */
const pidOf = (m: RegExpExecArray): { pid?: number } => (m[1] !== undefined ? { pid: Number(m[1]) } : {});

// First match wins, so the specific wordings come before the general ones. The expressions carry no
// flags: the timeline tests every detector's interests without their flags.
const RULES: readonly Rule[] = [
  { label: 'railway-start', re: /^Starting Container$/, kind: 'start', scope: 'container', once: true },
  { label: 'railway-stop', re: /^Stopping Container$/, kind: 'stop', scope: 'container' },
  { label: 'heroku-start', re: /Starting process with command/, kind: 'start', scope: 'container', once: true },
  {
    label: 'heroku-state',
    re: /State changed from (\w+) to (starting|up|down|crashed)\b/,
    kind: 'start',
    scope: 'container',
    read: (m) => ({ kind: m[2] === 'starting' ? 'start' : m[2] === 'up' ? 'ready' : m[2] === 'down' ? 'stop' : 'failure' }),
  },
  { label: 'heroku-sigterm', re: /Stopping all processes with SIGTERM/, kind: 'stop', scope: 'container' },
  { label: 'heroku-exit', re: /Process exited with status (\d+)/, kind: 'exit', scope: 'container', read: (m) => ({ exitCode: Number(m[1]) }) },
  { label: 'heroku-boot-timeout', re: /Error R10 \(Boot timeout\)/, kind: 'failure', scope: 'container' },
  { label: 'heroku-memory-kill', re: /Error R15 \(Memory quota vastly exceeded\)/, kind: 'failure', scope: 'container', read: () => ({ signal: 'SIGKILL' }) },
  // One per worker process with --workers N, so not `once`.
  { label: 'uvicorn-started', program: 'uvicorn', re: /Started server process \[(\d+)\]/, kind: 'start', scope: 'process', read: (m) => ({ pid: Number(m[1]) }) },
  { label: 'uvicorn-ready', program: 'uvicorn', re: /Application startup complete\.?\s*$/, kind: 'ready', scope: 'process' },
  { label: 'uvicorn-running', program: 'uvicorn', re: /Uvicorn running on /, kind: 'ready', scope: 'process' },
  { label: 'uvicorn-startup-failed', program: 'uvicorn', re: /Application startup failed\. Exiting\./, kind: 'failure', scope: 'process' },
  // The bare line, or after a level word ("INFO:     Shutting down"); "Scheduler: Shutting down" is not the server.
  { label: 'uvicorn-shutdown', program: 'uvicorn', re: /^(?:.*\bINFO\b[:\]\s|-]*|\[[^\]]*\]\s*)?Shutting down(?:\.\.\.)?\s*$/, kind: 'stop', scope: 'process' },
  { label: 'uvicorn-finished', program: 'uvicorn', re: /Finished server process \[(\d+)\]/, kind: 'stop', scope: 'process', last: true, read: (m) => ({ pid: Number(m[1]) }) },
  { label: 'uvicorn-shutdown-complete', program: 'uvicorn', re: /Application shutdown complete\.?\s*$/, kind: 'stop', scope: 'process' },
  // The supervisor of `uvicorn --workers N` (uvicorn/supervisors/multiprocess.py); its children log "Started server process" each.
  { label: 'uvicorn-parent-started', program: 'uvicorn', re: /Started parent process \[(\d+)\]/, kind: 'start', scope: 'process', once: true, read: (m) => ({ pid: Number(m[1]) }) },
  { label: 'uvicorn-parent-signal', program: 'uvicorn', re: /Received (SIGTERM|SIGINT), exiting\./, kind: 'stop', scope: 'process', read: (m) => ({ signal: m[1] }) },
  { label: 'uvicorn-parent-stopping', program: 'uvicorn', re: /Stopping parent process \[(\d+)\]/, kind: 'stop', scope: 'process', last: true, read: (m) => ({ pid: Number(m[1]) }) },
  // The master's lines open with "[date] [pid] [LEVEL]" in gunicorn's default format (gunicorn/glogging.py): its pid.
  { label: 'gunicorn-start', program: 'gunicorn', re: /(?:^\[[^\]]*\] \[(\d+)\] \[[A-Z]+\] )?Starting gunicorn \d/, kind: 'start', scope: 'process', once: true, read: pidOf },
  { label: 'gunicorn-listening', program: 'gunicorn', re: /(?:^\[[^\]]*\] \[(\d+)\] \[[A-Z]+\] )?Listening at: \S/, kind: 'ready', scope: 'process', read: pidOf },
  { label: 'gunicorn-booting', program: 'gunicorn', re: /Booting worker with pid: ?(\d+)/, kind: 'start', scope: 'worker' },
  {
    label: 'gunicorn-signal',
    program: 'gunicorn',
    re: /(?:^\[[^\]]*\] \[(\d+)\] \[[A-Z]+\] )?Handling signal: (term|int|quit)\b/,
    kind: 'stop',
    scope: 'process',
    read: (m) => ({ ...pidOf(m), signal: m[2] }),
  },
  // Not `last`: a halting master writes its reason after it.
  { label: 'gunicorn-master-down', program: 'gunicorn', re: /(?:^\[[^\]]*\] \[(\d+)\] \[[A-Z]+\] )?Shutting down: Master/, kind: 'stop', scope: 'process', read: pidOf },
  { label: 'gunicorn-worker-exiting', program: 'gunicorn', re: /Worker exiting \(pid: ?(\d+)\)/, kind: 'stop', scope: 'worker' },
  { label: 'gunicorn-worker-killed', program: 'gunicorn', re: /Worker \(pid: ?(\d+)\) was sent (SIG\w+)/, kind: 'failure', scope: 'worker', read: (m) => ({ signal: m[2] }) },
  { label: 'gunicorn-worker-code', program: 'gunicorn', re: /Worker \(pid: ?(\d+)\) exited with code:? (\d+)/, kind: 'exit', scope: 'worker', read: (m) => ({ exitCode: Number(m[2]) }) },
  { label: 'gunicorn-worker-timeout', program: 'gunicorn', re: /WORKER TIMEOUT \(pid: ?(\d+)\)/, kind: 'failure', scope: 'worker' },
  { label: 'gunicorn-worker-signal', program: 'gunicorn', re: /Worker with pid (\d+) was terminated due to signal (\d+)/, kind: 'failure', scope: 'worker', read: (m) => ({ signal: m[2] }) },
  // The master halts when a worker cannot boot (gunicorn/arbiter.py: exit code WORKER_BOOT_ERROR 3, APP_LOAD_ERROR 4).
  {
    label: 'gunicorn-halt',
    program: 'gunicorn',
    re: /Reason: (Worker failed to boot|App failed to load)\./,
    kind: 'failure',
    scope: 'process',
    read: (m) => ({ exitCode: m[1] === 'App failed to load' ? 4 : 3 }),
  },
  {
    label: 'startup-complete',
    re: /Startup complete \((\d+(?:\.\d+)?) ?(ms|s)\)/,
    kind: 'ready',
    scope: 'process',
    read: (m) => ({ startupSeconds: secondsOf(m[1]!, m[2]) }),
  },
  { label: 'spring-started', re: /Started \S+ in (\d+(?:\.\d+)?) seconds/, kind: 'ready', scope: 'process', read: (m) => ({ startupSeconds: Number(m[1]) }) },
  { label: 'app-banner', re: /\bStarting ([A-Z][\w.-]*(?: [\w.-]+)?) v(\d+\.\d+[\w.+-]*)/, kind: 'start', scope: 'process', read: (m) => ({ version: m[2] }) },
  // "Listening on port 3000", Fastify's "Server listening at http://0.0.0.0:3000" (fastify/lib/server.js).
  { label: 'listening', re: /\b[Ll]istening (?:on|at) (?:port \d|https?:\/\/|[\d.]+:\d|:\d)/, kind: 'ready', scope: 'process' },
  // Redis (server.c): each line opens with "pid:role"; the shutdown lines are its handling of SIGTERM/SIGINT.
  {
    label: 'redis-start',
    program: 'redis',
    re: /Redis version=\d[\w.]*, bits=\d+, commit=\w+, modified=\d+, pid=(\d+), just started/,
    kind: 'start',
    scope: 'process',
    once: true,
    read: (m) => ({ pid: Number(m[1]) }),
  },
  { label: 'redis-ready', program: 'redis', re: /^(\d+):M \d.* Ready to accept connections/, kind: 'ready', scope: 'process', read: (m) => ({ pid: Number(m[1]) }) },
  {
    label: 'redis-signal',
    program: 'redis',
    re: /^(?:(\d+):signal-handler \(\d+\) )?Received (SIGTERM|SIGINT) scheduling shutdown/,
    kind: 'stop',
    scope: 'process',
    read: (m) => ({ ...(m[1] !== undefined ? { pid: Number(m[1]) } : {}), signal: m[2] }),
  },
  { label: 'redis-shutdown', program: 'redis', re: /^(\d+):M \d.* User requested shutdown\.\.\./, kind: 'stop', scope: 'process', read: (m) => ({ pid: Number(m[1]) }) },
  { label: 'redis-bye', program: 'redis', re: /Redis is now ready to exit, bye bye\.\.\./, kind: 'stop', scope: 'process', last: true },
  // puma (lib/puma/cluster.rb, single.rb, launcher.rb): its master's "[pid]" opens the lines in cluster mode.
  {
    label: 'puma-start',
    program: 'puma',
    re: /^(?:\[(\d+)\] )?Puma starting in (?:cluster|single) mode/,
    kind: 'start',
    scope: 'process',
    once: true,
    read: (m) => (m[1] !== undefined ? { pid: Number(m[1]) } : {}),
  },
  { label: 'puma-ready', program: 'puma', re: /^(?:\[\d+\] )?Use Ctrl-C to stop\s*$/, kind: 'ready', scope: 'process' },
  { label: 'puma-worker-booted', program: 'puma', re: /- Worker \d+ \(PID: (\d+)\) booted in /, kind: 'start', scope: 'worker' },
  // Single mode's stop (single.rb); cluster mode's (launcher.rb), written before its workers stop.
  { label: 'puma-stopping', program: 'puma', re: /- Gracefully stopping, waiting for requests to finish/, kind: 'stop', scope: 'process' },
  { label: 'puma-shutdown', program: 'puma', re: /=== puma shutdown: /, kind: 'stop', scope: 'process' },
  { label: 'puma-goodbye', program: 'puma', re: /^(?:\[\d+\] )?- Goodbye!\s*$/, kind: 'stop', scope: 'process' },
  // Celery's worker (celery/apps/worker.py): the banner opens its start on stdout, "<name>@<host> ready." its log; its
  // shutdown handler says "worker: Warm shutdown (MainProcess)" on SIGTERM or SIGINT, "Cold" on SIGQUIT. Beat says nothing when it stops.
  { label: 'celery-banner', program: 'celery', re: /^ -------------- \S+@\S+ v\d+\.\d+\S* \(/, kind: 'start', scope: 'process', once: true },
  { label: 'celery-ready', program: 'celery', re: /^(?:\[[^\]]*\] )?\S+@\S+ ready\.\s*$/, kind: 'ready', scope: 'process' },
  { label: 'celery-shutdown', program: 'celery', re: /^worker: (?:Warm|Cold) shutdown \(MainProcess\)/, kind: 'stop', scope: 'process', last: true },
  // nginx's error log at `notice` (its Docker image's level; src/os/unix/ngx_process_cycle.c, ngx_process.c): lines open
  // with "<date> [notice] <pid>#<tid>: ", the master's pid first. At the default level `error` it logs neither its start nor its stop.
  { label: 'nginx-start', program: 'nginx-error', re: /\[notice\] (\d+)#\d+: nginx\/\d/, kind: 'start', scope: 'process', once: true, read: pidOf },
  { label: 'nginx-ready', program: 'nginx-error', re: /\[notice\] (\d+)#\d+: start worker processes\s*$/, kind: 'ready', scope: 'process', read: pidOf },
  {
    label: 'nginx-signal',
    program: 'nginx-error',
    re: /\[notice\] (\d+)#\d+: signal \d+ \((SIGQUIT|SIGTERM|SIGINT)\) received(?: from \d+)?, (?:shutting down|exiting)/,
    kind: 'stop',
    scope: 'process',
    read: (m) => ({ ...pidOf(m), signal: m[2] }),
  },
  { label: 'nginx-worker-exit', program: 'nginx-error', re: /\[\w+\] \d+#\d+: worker process (\d+) exited with code (\d+)/, kind: 'exit', scope: 'worker', read: (m) => ({ exitCode: Number(m[2]) }) },
  { label: 'nginx-worker-signal', program: 'nginx-error', re: /\[\w+\] \d+#\d+: worker process (\d+) exited on signal (\d+)/, kind: 'failure', scope: 'worker', read: (m) => ({ signal: m[2] }) },
  // php-fpm's master (sapi/fpm/fpm/fpm.c, fpm_events.c, fpm_signals.c): SIGTERM or SIGINT `Terminating ...`,
  // SIGQUIT `Finishing ...` (a graceful stop), then `exiting, bye-bye!`. Its lines open with `[time] NOTICE: `.
  { label: 'php-fpm-start', program: 'php-fpm', re: /\bNOTICE: fpm is running, pid (\d+)$/, kind: 'start', scope: 'process', once: true, read: (m) => ({ pid: Number(m[1]) }) },
  { label: 'php-fpm-ready', program: 'php-fpm', re: /\bNOTICE: ready to handle connections$/, kind: 'ready', scope: 'process' },
  { label: 'php-fpm-stopping', program: 'php-fpm', re: /\bNOTICE: (Terminating|Finishing) \.\.\.$/, kind: 'stop', scope: 'process', read: (m) => ({ signal: m[1] === 'Finishing' ? 'SIGQUIT' : 'SIGTERM' }) },
  { label: 'php-fpm-bye', program: 'php-fpm', re: /\bNOTICE: exiting, bye-bye!$/, kind: 'stop', scope: 'process', last: true },
  { label: 'pg-starting', program: 'postgres', re: /starting PostgreSQL \d/, kind: 'start', scope: 'process', once: true, postmaster: true },
  { label: 'pg-ready', program: 'postgres', re: /database system is ready to accept connections/, kind: 'ready', scope: 'process', postmaster: true },
  { label: 'pg-shutdown-request', program: 'postgres', re: /received (smart|fast|immediate) shutdown request/, kind: 'stop', scope: 'process', postmaster: true, read: (m) => ({ signal: m[1] }) },
  // Each connected backend's last words when the postmaster dies without a shutdown (kill -9, the OOM
  // killer): the only line a killed server leaves (postgres.c, ProcessInterrupts).
  { label: 'pg-postmaster-died', program: 'postgres', re: /terminating connection due to unexpected postmaster exit/, kind: 'failure', scope: 'process' },
  { label: 'pg-shut-down', program: 'postgres', re: /database system is shut down/, kind: 'stop', scope: 'process', last: true },
  { label: 'pg-unclean-previous', program: 'postgres', re: /database system was (?:not properly shut down|interrupted; last known up at)/, kind: 'failure', scope: 'process', read: () => ({ previous: true }) },
  // Children exiting during a shutdown ("logical replication launcher ... exited with exit code 1") are normal.
  { label: 'pg-child-exit', program: 'postgres', re: /\(PID \d+\) exited with exit code \d+/, kind: 'stop', scope: 'worker' },
  { label: 'pg-child-signal', program: 'postgres', re: /\(PID \d+\) was terminated by signal (\d+)/, kind: 'failure', scope: 'worker', read: (m) => ({ signal: m[1] }) },
  { label: 'pg-reinitializing', program: 'postgres', re: /all server processes terminated; reinitializing/, kind: 'failure', scope: 'process' },
  // A shell's report of its child killed by SIGKILL ("/app/start.sh: line 9:    17 Killed    uvicorn ..."), and any
  // "<program> exited with code N" a start script prints.
  // The error vocabulary's process exits and fatal out-of-memory ends, in each program's words: a
  // shell's "Killed", npm/yarn/pnpm/bun exit codes, Node's uncaught exit, V8's heap out of memory...
  { label: 'vocabulary', re: vocabularyInterest(['process-exit', 'out-of-memory']), kind: 'exit', scope: 'process', vocabulary: true },
  { label: 'exited-with-code', re: /\bexited with (?:exit )?(?:code|status):? (\d+)/, kind: 'exit', scope: 'process', read: (m) => ({ exitCode: Number(m[1]) }) },
];

/** The info-level lines lifecycle needs the timeline to keep; put them in a detector's `meta.interests`. */
export const LIFECYCLE_INTERESTS: readonly RegExp[] = RULES.map((r) => r.re);

/** Exit codes of a stop that was asked for: 0, and 128 + SIGTERM/SIGINT (143, 130). */
const CLEAN_EXIT = new Set([0, 130, 143]);

/** A supervisor replaces a dead worker within this long of reporting its end. */
const RESPAWN_MS = 10_000;

/** Labels of the lines written once per life, and of the lines a server writes last. */
const ONCE = new Set(RULES.filter((r) => r.once === true).map((r) => r.label));
const LAST = new Set(RULES.filter((r) => r.last === true).map((r) => r.label));

/** What a lifecycle line says, or null when it is not one. */
export function classifyLifecycle(message: string): Classified | null {
  for (const r of RULES) {
    const c = ruleMatch(r, message);
    if (c !== null) return c;
  }
  return null;
}

/** What `message` says by rule `r`, or null when the rule does not read it. */
function ruleMatch(r: Rule, message: string): Classified | null {
  if (r.vocabulary === true) {
    const v = matchVocabulary(message, VOCABULARY_INCIDENTS);
    if (v === null || !endsProcess(v.entry)) return null;
    const c: Classified = { kind: v.values.exitCode !== undefined ? 'exit' : 'failure', scope: v.entry.child === true ? 'worker' : 'process', label: v.entry.id };
    if (typeof v.values.exitCode === 'number') c.exitCode = v.values.exitCode;
    if (typeof v.values.signal === 'string') c.signal = v.values.signal;
    return c;
  }
  const m = r.re.exec(message);
  if (m === null) return null;
  const c: Classified = { kind: r.kind, scope: r.scope, label: r.label, ...(r.read?.(m) ?? {}) };
  if (r.program !== undefined) c.program = r.program;
  return c;
}

function stringAttr(a: Record<string, unknown> | undefined, ...names: string[]): string | undefined {
  if (a === undefined) return undefined;
  for (const n of names) {
    const v = a[n];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  const tags = a.tags;
  if (typeof tags === 'object' && tags !== null) {
    for (const n of names) {
      const v = (tags as Record<string, unknown>)[n];
      if (typeof v === 'string' && v.length > 0) return v;
    }
  }
  return undefined;
}

/** Railway's deployment id of an event, when its attributes carry one. */
export function deploymentOf(ev: { attrs?: Record<string, unknown> }): string | undefined {
  return stringAttr(ev.attrs, 'deploymentId', 'deployment_id', 'DEPLOYMENT_ID');
}

/** Railway's deployment instance id (one container of a deployment), when known. */
export function instanceOf(ev: { attrs?: Record<string, unknown> }): string | undefined {
  return stringAttr(ev.attrs, 'deploymentInstanceId', 'deployment_instance_id', 'DEPLOYMENT_INSTANCE_ID');
}

/**
 * Railway's own record of a deployment that crashed (deployments.json of hindsight pull railway):
 * a crash the logs may not show. Read from the record's status, never from its words, which a line
 * of the app may hold too. Its removals are not markers: its containers' stop lines are.
 */
const DEPLOYMENT_CRASHED: Classified = { kind: 'failure', scope: 'container', label: 'railway-deployment-crashed' };
const crashedDeployment = (ev: { source: string; attrs?: Record<string, unknown> }) => ev.source === 'platform' && ev.attrs?.status === 'CRASHED';

/** Every lifecycle line among the kept events, in time order (lines without a time are left out). */
export function lifecycleMarkers(t: TimelineSummary): LifecycleMarker[] {
  // The rule is found once per template (on its first line, as the timeline decides what to keep);
  // each event of a matching template runs only that rule, and a timeline without any skips the scan.
  // The platform's templates are read too, for the deployments' records.
  const ruleOf: (Rule | null)[] = [];
  const platform: boolean[] = [];
  // An example cut short (a long record: Node's uncaught exception, whose "Node.js v20" ends a
  // long stack) may have lost the words a rule reads: its events are read whole, each.
  const cut: boolean[] = [];
  let any = false;
  for (const tpl of t.templates) {
    const text = tpl.examples[0]?.text;
    const rule = text === undefined ? null : (RULES.find((r) => ruleMatch(r, text) !== null) ?? null);
    ruleOf[tpl.id] = rule;
    platform[tpl.id] = tpl.source === 'platform';
    cut[tpl.id] = rule === null && text !== undefined && text.endsWith('…');
    if (rule !== null || tpl.source === 'platform' || cut[tpl.id]) any = true;
  }
  const out: LifecycleMarker[] = [];
  if (!any) return out;
  for (const ev of eventsOfTemplates(t, (id) => (ruleOf[id] ?? null) !== null || platform[id] === true || cut[id] === true)) {
    if (ev.ts === null) continue;
    let used: Rule | null = null;
    let c: Classified | null = null;
    if (crashedDeployment(ev)) c = DEPLOYMENT_CRASHED;
    else {
      const rule = ruleOf[ev.template] ?? null;
      if (rule === null && cut[ev.template] !== true) continue;
      used = rule;
      c = rule === null ? null : ruleMatch(rule, ev.message);
      // A template can hold messages another rule reads better; fall back to the full scan.
      if (c === null) for (const r of RULES) if ((c = ruleMatch((used = r), ev.message)) !== null) break;
      if (c === null) continue;
    }
    const marker: LifecycleMarker = { ts: ev.ts, service: ev.service, ...c, event: ev };
    if (used?.postmaster === true && ev.pg?.pid !== undefined) marker.pid = ev.pg.pid;
    // A structured logger's pid (pino, bunyan) names the process that wrote the line; a worker's is not the server's.
    else if (marker.pid === undefined && marker.scope !== 'worker' && ev.source === 'app' && typeof ev.attrs?.pid === 'number') marker.pid = ev.attrs.pid;
    const d = deploymentOf(ev);
    if (d !== undefined) marker.deployment = d;
    const i = instanceOf(ev);
    if (i !== undefined) marker.instance = i;
    out.push(marker);
  }
  return out;
}

/** The lines of one start, or one stop, of one container, joined into one instant. */
export interface LifecycleTransition {
  kind: 'start' | 'stop';
  service: string;
  /** Deployment instance (or deployment) the lines belong to; '' when the lines do not say. */
  key: string;
  deployment?: string;
  instance?: string;
  /** Time of the first line. */
  ts: number;
  /** Time of the last line joined. */
  end: number;
  /** First "ready" line of a start (Application startup complete, Startup complete (3.2s)). */
  readyTs?: number;
  startupSeconds?: number;
  version?: string;
  exitCode?: number;
  signal?: string;
  /** A crash, a failed boot, a kill, or a non-zero exit code. */
  failed: boolean;
  /** A start whose lines say the previous life ended in a failure (PostgreSQL's crash recovery). */
  afterFailure?: boolean;
  /** Pid of the server the lines name (first one named). */
  pid?: number;
  /** Some line is the platform's (a container's start or stop, not only the process inside it). */
  container: boolean;
  /** The program whose own lines it holds (the first one named; see Rule.program). */
  program?: string;
  markers: LifecycleMarker[];
}

export interface TransitionOptions {
  /** Lines of one stop (or one start) within this many ms of the previous one are joined. Default 30 s. */
  joinMs?: number;
  /** A start's ready line may come this long after its first line. Default 180 s. */
  bootMs?: number;
  /** The processes a structured logger named by pid (TimelineSummary.processes): whose a stop or crash line without a pid is. */
  processes?: readonly ProcessSpan[];
}

/**
 * Which process an end (a stop or a crash line that names no pid) is of, from the processes a
 * structured logger named: of those that wrote before it, not ended by an earlier end (`claimed`),
 * and went quiet by a shutdown's tail after it (the replica that writes on is not ending), the one
 * whose last line is nearest: a stopped or crashed process writes nothing after its last words.
 * Undefined when no process qualifies. A pid every container reuses (pid 1) writes on, and names none.
 */
function endingProcess(spans: readonly ProcessSpan[] | undefined, ts: number, claimed: ReadonlySet<number>): number | undefined {
  let best: ProcessSpan | undefined;
  for (const p of spans ?? []) {
    if (p.first >= ts || p.last > ts + SHUTDOWN_TAIL_MS || claimed.has(p.pid)) continue;
    if (best === undefined || Math.abs(p.last - ts) < Math.abs(best.last - ts)) best = p;
  }
  return best?.pid;
}

/** Whether a marker reports a failure: a crash line, a kill, or a non-zero (and not SIGTERM/SIGINT) exit code. */
export function isFailure(m: LifecycleMarker): boolean {
  if (m.previous === true) return false;
  if (m.kind === 'failure') return true;
  if (m.kind === 'exit' && m.exitCode !== undefined && !CLEAN_EXIT.has(m.exitCode)) return true;
  return m.signal === 'SIGKILL' || m.signal === '9';
}

function keyOf(m: LifecycleMarker): string {
  return m.instance ?? m.deployment ?? '';
}

/** Joins markers into starts and stops, per service and deployment instance, in time order. */
export function lifecycleTransitions(markers: readonly LifecycleMarker[], options: TransitionOptions = {}): LifecycleTransition[] {
  const joinMs = options.joinMs ?? 30_000;
  const bootMs = options.bootMs ?? 180_000;
  const open = new Map<string, LifecycleTransition>();
  const out: LifecycleTransition[] = [];
  const begin = (m: LifecycleMarker, kind: 'start' | 'stop'): LifecycleTransition => {
    const tr: LifecycleTransition = { kind, service: m.service, key: keyOf(m), ts: m.ts, end: m.ts, failed: false, container: false, markers: [] };
    if (m.deployment !== undefined) tr.deployment = m.deployment;
    if (m.instance !== undefined) tr.instance = m.instance;
    out.push(tr);
    return tr;
  };
  const add = (tr: LifecycleTransition, m: LifecycleMarker) => {
    tr.markers.push(m);
    // A worker's end (a pool process killed, gunicorn's timed-out worker) is kept as evidence; it
    // neither stretches the transition (so a later exit of the container is not read as part of
    // its boot) nor gives it the worker's exit code or signal.
    if (m.scope === 'worker' && (m.kind === 'exit' || m.kind === 'failure')) return;
    if (m.ts > tr.end) tr.end = m.ts;
    if (m.kind === 'ready' && tr.readyTs === undefined) tr.readyTs = m.ts;
    if (m.startupSeconds !== undefined && tr.startupSeconds === undefined) tr.startupSeconds = m.startupSeconds;
    if (m.version !== undefined && tr.version === undefined) tr.version = m.version;
    if (m.exitCode !== undefined && tr.exitCode === undefined) tr.exitCode = m.exitCode;
    if (m.signal !== undefined && tr.signal === undefined) tr.signal = m.signal;
    if (m.pid !== undefined && tr.pid === undefined) tr.pid = m.pid;
    if (m.program !== undefined && tr.program === undefined) tr.program = m.program;
    if (m.scope === 'container') tr.container = true;
    // A worker killed or timed out is the server's business (it spawns another), not the end of the container.
    if (isFailure(m) && m.scope !== 'worker') tr.failed = true;
    if (m.previous === true) tr.afterFailure = true;
  };
  const sorted = [...markers].sort((a, b) => a.ts - b.ts);
  /** When a worker of the service last ended: a server start right after it is the supervisor's replacement. */
  const workerEnd = new Map<string, number>();
  // The processes of each service, and per service the pids an end was given (see endingProcess).
  // A pid named by the start or ready lines of two container (or once-per-life) starts was reused
  // (node is pid 1 in each container): it names no one process.
  const bootsOf = new Map<string, number>();
  const firstBoot = new Map<string, number>();
  const reused = new Set<string>();
  for (const m of sorted) {
    if (m.kind !== 'start' && m.kind !== 'ready') continue;
    if (m.kind === 'start' && (m.scope === 'container' || ONCE.has(m.label))) bootsOf.set(m.service, (bootsOf.get(m.service) ?? 0) + 1);
    if (m.pid === undefined) continue;
    const key = m.service + '\u0000' + m.pid;
    const boots = bootsOf.get(m.service) ?? 0;
    if (!firstBoot.has(key)) firstBoot.set(key, boots);
    else if (firstBoot.get(key) !== boots) reused.add(key);
  }
  const spans = new Map<string, ProcessSpan[]>();
  for (const p of options.processes ?? []) {
    if (!reused.has(p.service + '\u0000' + p.pid)) (spans.get(p.service) ?? spans.set(p.service, []).get(p.service)!).push(p);
  }
  const claimed = new Map<string, Set<number>>();
  /** The process an end transition is of: the pid its lines name, or the one that went quiet there. */
  const endPid = new Map<LifecycleTransition, number>();
  const pidOfEnd = (m: LifecycleMarker): number | undefined => {
    if (m.pid !== undefined) return m.pid;
    const set = claimed.get(m.service) ?? claimed.set(m.service, new Set()).get(m.service)!;
    return endingProcess(spans.get(m.service), m.ts, set);
  };
  const claim = (tr: LifecycleTransition, pid: number | undefined) => {
    if (pid === undefined) return;
    endPid.set(tr, pid);
    (claimed.get(tr.service) ?? claimed.set(tr.service, new Set()).get(tr.service)!).add(pid);
  };
  for (let m of sorted) {
    const k = m.service + '\u0000' + keyOf(m);
    const cur = open.get(k);
    if (m.scope === 'worker' && (m.kind === 'exit' || m.kind === 'failure')) workerEnd.set(k, m.ts);
    // uvicorn's "Child process [N] died", then the new worker's "Started server process"; a program
    // supervisord restarts: the worker's start, not the server's (a once-per-life line still is).
    else if (m.kind === 'start' && m.scope === 'process' && !ONCE.has(m.label) && m.ts - (workerEnd.get(k) ?? -Infinity) <= RESPAWN_MS) m = { ...m, scope: 'worker' };
    // A boot line that reports the previous life's crash opens (or joins) a start like a ready line.
    if (m.kind === 'start' || m.kind === 'ready' || m.previous === true) {
      const joinable =
        cur !== undefined &&
        cur.kind === 'start' &&
        m.ts - cur.end <= joinMs &&
        m.ts - cur.ts <= bootMs &&
        // A once-per-life start line again, or a start long after the first was ready, is a new start.
        !(m.kind === 'start' && ONCE.has(m.label) && cur.markers.some((x) => x.label === m.label)) &&
        !(m.kind === 'start' && cur.readyTs !== undefined && m.ts - cur.readyTs > 5_000);
      if (joinable) add(cur, m);
      else if (m.scope === 'worker') {
        // A worker (re)spawn inside a running container is not a container start.
        if (cur !== undefined && m.ts - cur.end <= joinMs) add(cur, m);
      } else {
        const tr = begin(m, 'start');
        add(tr, m);
        open.set(k, tr);
      }
      continue;
    }
    // stop, exit, failure
    if (cur !== undefined && m.ts - cur.end <= joinMs && (cur.kind === 'stop' || (m.kind !== 'stop' && cur.readyTs === undefined))) {
      // Exit codes and failures right after a start that never came up belong to it (a failed boot);
      // after its ready line they end the life; stop lines belong to a stop, failures too unless the
      // stop already has the server's last line (then another container died).
      // A crash of another process than the one stopping (a replica that wrote on) is its own end.
      const failing = cur.kind === 'stop' && isFailure(m) && m.scope !== 'worker';
      const anotherLife =
        (m.kind === 'stop' && m.scope === 'container' && cur.markers.some((x) => x.label === m.label)) ||
        (failing && cur.markers.some((x) => LAST.has(x.label))) ||
        (failing && endPid.has(cur) && (pidOfEnd(m) ?? endPid.get(cur)) !== endPid.get(cur));
      if (!anotherLife) {
        add(cur, m);
        continue;
      }
    }
    if (m.scope === 'worker') {
      // Worker failures without a container transition nearby are kept on the last transition.
      if (cur !== undefined) add(cur, m);
      continue;
    }
    const tr = begin(m, 'stop');
    add(tr, m);
    if (spans.has(m.service)) claim(tr, pidOfEnd(m));
    open.set(k, tr);
  }
  // A stop names the process that went quiet at it when its own lines name none.
  for (const [tr, pid] of endPid) tr.pid ??= pid;
  return out;
}

/** One container's life: a start and the stop that ended it (either may be outside the logs). */
export interface ContainerLife {
  service: string;
  deployment?: string;
  instance?: string;
  start: LifecycleTransition | null;
  stop: LifecycleTransition | null;
  /**
   * How a life without a stop line ended: its boot crashed (failure or exit code before it came up,
   * and no stop followed before the next start), or another start of the same server took its place
   * while it had logged no stop (`restarted`: a kill -9, the OOM killer, a crash that printed nothing).
   */
  ended?: 'crashed-at-boot' | 'restarted';
  /**
   * What a `restarted` life is known to have ended by: `crash` when the next start says so
   * (PostgreSQL's recovery at boot); `ungraceful` when its program announces every clean stop
   * (`shutdown` in src/ingest/log-conventions.ts) and announced none, so it was killed or crashed;
   * `unknown` for a program that stops without a word (a plain Node server), whose kill and
   * whose redeploy look the same.
   */
  endKnown?: 'crash' | 'ungraceful' | 'unknown';
  /** Time of the last line of a life that ended without a stop line. */
  lastSeen?: number;
  /** The start that took the place of a life `restarted` (its lines may say the life crashed). */
  next?: LifecycleTransition;
  /** Restarts of the server inside this container (start lines without a container line). */
  restarts: LifecycleTransition[];
  /**
   * stop − start (for a boot that crashed, its failure line − start), or null when an end is not
   * known: outside the logs, or a life that ended without a word (between `lastSeen` and `next`).
   */
  lifetimeMs: number | null;
  /** How the start and stop were paired: by deployment (instance) id, by the server's pid, or by order and markers within the service. */
  pairedBy: 'deployment' | 'pid' | 'order';
}

/** What the service wrote besides lifecycle lines: tells which container survived a stop, and when a silent life ended. */
export interface Activity {
  /** Whether `service` wrote such a line in (from, to). */
  any(service: string, from: number, to: number): boolean;
  /** Time of its last such line in (from, to), or null. */
  last(service: string, from: number, to: number): number | null;
}

/**
 * A redeploy's handover: the platform stops the old container within this long of the new one's
 * start (Railway waits for the new one's health check, 300 s by default, then removes the old).
 * A life still without a stop this long after a newer start of its service ended before that start.
 */
const HANDOVER_MS = 600_000;

/**
 * Replicas of a deployment start side by side, before any of them is up: a start overtakes a life
 * only when that life had come up before it (its ready line, or, for a life without one, a start
 * this long before).
 */
const REPLICA_MS = 5_000;
const upBefore = (start: LifecycleTransition, ts: number) => (start.readyTs !== undefined ? start.readyTs < ts : ts - start.ts > REPLICA_MS);

/** Programs that log every clean stop of theirs (their convention's `shutdown`). */
const ANNOUNCES_SHUTDOWN: ReadonlySet<string> = new Set(CONVENTIONS.filter((c) => c.shutdown !== undefined).map((c) => c.id));

/**
 * True when the program logs every clean stop of its own (its convention's `shutdown`, or
 * PostgreSQL's shutdown request), so a stop without such a line was not clean. Of any other program
 * (a Node server, most workers) a stop without a line says nothing: a SIGTERM handler may close it
 * quietly.
 */
export function announcesShutdown(program: string | undefined): boolean {
  return program !== undefined && (program === 'postgres' || ANNOUNCES_SHUTDOWN.has(program));
}

/**
 * Pairs starts with stops. With a deployment (instance) id, within it. Without one, per service, a
 * stop ends, in this order of preference: the one running life whose start named the same server pid;
 * a life whose boot just failed (the platform removes that container); the newest life when it has
 * not come up yet while an older one serves (a failed deploy, not the replacement of the older);
 * otherwise the oldest life, because on a zero-downtime redeploy the new container starts before
 * the old one is stopped. When only one container is known to run and the service keeps writing
 * after a clean stop (and before any new start), that container survived: the stop belonged to an
 * older one whose start is before the logs. A start ends the lives that cannot still run: those
 * whose boot failed; for a server started in place (no container line: a PostgreSQL
 * postmaster, an app server's own log), the in-place life before it; and, for a start whose lines
 * report the previous life's crash, the newest running life, even from a new container (a redeploy's
 * new container starts before the old one stops, so no other container start ends a life). Inside a
 * running container an in-place start is a restart of that container's server.
 *
 * A start of the same service that overtakes a running life without a stop line ends that life
 * (`restarted`, at its last line before the start) once the logs show it was no handover: at once
 * within one deployment id (a deployment does not replace itself); without ids, when the newer life
 * stops first (a handover stops the old one), when yet another start comes, when a stop comes more
 * than a handover after the overtaking start, or when the logs go on that long without its stop.
 */
export function containerLives(transitions: readonly LifecycleTransition[], activity?: Activity): ContainerLife[] {
  const lives: ContainerLife[] = [];
  const running = new Map<string, ContainerLife[]>();
  /** The start that overtook a running life (key '' only), until its stop or its silent end. */
  const overtaken = new Map<ContainerLife, LifecycleTransition>();
  const nextStart = (i: number, k: string): number => {
    for (let j = i + 1; j < transitions.length; j++) {
      const x = transitions[j]!;
      if (x.kind === 'start' && x.service + '\u0000' + x.key === k) return x.ts;
    }
    return Infinity;
  };
  /** `unsure`: only the logs going on without its stop end it, which a replica that still runs does too. */
  const endWithoutStop = (life: ContainerLife, ended: 'crashed-at-boot' | 'restarted', before: number, next?: LifecycleTransition, unsure = false) => {
    const start = life.start!;
    if (next !== undefined) life.next = next;
    const seen = Math.max(start.end, ...life.restarts.map((r) => r.end), activity?.last(life.service, start.ts, before) ?? -Infinity);
    life.ended = ended;
    life.lastSeen = seen;
    overtaken.delete(life);
    if (ended === 'crashed-at-boot') release(start);
    // A failed boot ends at its failure line; a silent life ended somewhere after its last line.
    if (ended === 'crashed-at-boot') life.lifetimeMs = seen - start.ts;
    else life.endKnown = next?.afterFailure === true ? 'crash' : !unsure && start.program !== undefined && ANNOUNCES_SHUTDOWN.has(start.program) ? 'ungraceful' : 'unknown';
  };
  /** Lives overtaken by a start that did not come up stay what they were: the older container serves on. */
  const release = (start: LifecycleTransition) => {
    for (const [l, by] of overtaken) if (by === start) overtaken.delete(l);
  };
  /** Ends, without a stop, the lives of `list` that `which` picks among the overtaken ones. */
  const endOvertaken = (list: ContainerLife[], which: (by: LifecycleTransition, l: ContainerLife) => boolean, unsure = false) => {
    for (let j = list.length - 1; j >= 0; j--) {
      const l = list[j]!;
      const by = overtaken.get(l);
      if (by === undefined || !which(by, l)) continue;
      endWithoutStop(l, 'restarted', by.ts, by, unsure);
      list.splice(j, 1);
    }
  };
  const lastOf = new Map<string, number>();
  /** Services with an earlier transition. */
  const seen = new Set<string>();
  transitions.forEach((tr, i) => {
    lastOf.set(tr.service, Math.max(lastOf.get(tr.service) ?? -Infinity, tr.end));
    const k = tr.service + '\u0000' + tr.key;
    let list = running.get(k);
    if (list === undefined) {
      list = [];
      running.set(k, list);
    }
    const pairedBy = tr.key === '' ? 'order' : 'deployment';
    const firstOfService = !seen.has(tr.service);
    seen.add(tr.service);
    if (tr.kind === 'start') {
      const newest = list[list.length - 1];
      if (!tr.container && newest !== undefined && newest.start!.container && !newest.start!.failed) {
        newest.restarts.push(tr);
        return;
      }
      // A start that reports its predecessor's crash (PostgreSQL recovering the data directory the
      // killed server left) ends the newest running life even in a new container: no stop line
      // will come for a container killed with every process in it.
      let replacesCrashed = tr.afterFailure === true;
      // The service's first lifecycle line reporting the crash of the life before it: that life
      // started before the logs (railway logs prints the last lines) and ended silently, in a crash.
      if (replacesCrashed && firstOfService) {
        const before: ContainerLife = { service: tr.service, start: null, stop: null, restarts: [], lifetimeMs: null, pairedBy, ended: 'restarted', endKnown: 'crash', next: tr };
        const last = activity?.last(tr.service, -Infinity, tr.ts);
        if (last !== undefined && last !== null) before.lastSeen = last;
        lives.push(before);
        replacesCrashed = false;
      }
      for (let j = list.length - 1; j >= 0; j--) {
        const l = list[j]!;
        if (l.start!.failed) endWithoutStop(l, 'crashed-at-boot', tr.ts);
        else if ((!tr.container && !l.start!.container) || replacesCrashed || (tr.key !== '' && upBefore(l.start!, tr.ts))) {
          endWithoutStop(l, 'restarted', tr.ts, tr);
          replacesCrashed = false;
        } else continue;
        list.splice(j, 1);
      }
      // Without ids: a life overtaken a second time was no redeploy's old container (that one is
      // stopped before the next deploy); the others may be, until their stop or the next start.
      endOvertaken(list, (by) => upBefore(by, tr.ts));
      for (const l of list) if (upBefore(l.start!, tr.ts) && !overtaken.has(l)) overtaken.set(l, tr);
      const life: ContainerLife = { service: tr.service, start: tr, stop: null, restarts: [], lifetimeMs: null, pairedBy };
      if (tr.deployment !== undefined) life.deployment = tr.deployment;
      if (tr.instance !== undefined) life.instance = tr.instance;
      lives.push(life);
      list.push(life);
      return;
    }
    // Containers reuse pids (uvicorn is pid 1 in each): a pid pairs only when one running life has it.
    // That life ran until this stop, overtaken or not (a replica started apart from it).
    const named = tr.pid !== undefined && list.filter((l) => l.start!.pid === tr.pid).length === 1 ? list.find((l) => l.start!.pid === tr.pid) : undefined;
    if (named !== undefined) {
      overtaken.delete(named);
      // The service writing on after the stop's tail, with only the lives this one overtook left to
      // write, shows they still run: replicas of it, not lives it took over from.
      const rest = list.filter((l) => l !== named);
      const wroteOn = rest.length > 0 && activity !== undefined && activity.any(tr.service, tr.end + SHUTDOWN_TAIL_MS, nextStart(i, k));
      if (wroteOn && rest.every((l) => overtaken.get(l) === named.start)) release(named.start!);
    }
    // A stop a handover's length after the start that overtook a life is not that life's handover.
    endOvertaken(list, (by) => tr.ts - by.ts > HANDOVER_MS);
    let at = named === undefined ? -1 : list.indexOf(named);
    const by: ContainerLife['pairedBy'] = named === undefined ? pairedBy : 'pid';
    for (let j = list.length - 1; at < 0 && j >= 0; j--) if (list[j]!.start!.failed) at = j;
    const newest = list[list.length - 1];
    if (at < 0 && list.length > 1 && newest!.start!.readyTs === undefined && (tr.failed || list.some((l) => l.start!.readyTs !== undefined))) at = list.length - 1;
    if (at < 0) {
      // The graceful tail of a stop (shutdown lines, a last traceback) is still the stopped container.
      const survived =
        tr.key === '' && list.length === 1 && !tr.failed && activity !== undefined && activity.any(tr.service, tr.end + SHUTDOWN_TAIL_MS, nextStart(i, k));
      if (!survived && list.length > 0) at = 0;
    }
    const life = at >= 0 ? list.splice(at, 1)[0] : undefined;
    if (life !== undefined) {
      life.stop = tr;
      life.lifetimeMs = tr.ts - life.start!.ts;
      life.pairedBy = by;
      overtaken.delete(life);
      // The lives it overtook ended before it when it had come up: a handover stops the old
      // container, not the new one; a new one that crashed or never came up leaves the old serving.
      const cameUp = !life.start!.failed && !tr.failed && (life.start!.readyTs !== undefined || !list.some((l) => l.start!.readyTs !== undefined));
      if (cameUp) endOvertaken(list, (over) => over === life.start);
      else release(life.start!);
    } else {
      const orphan: ContainerLife = { service: tr.service, start: null, stop: tr, restarts: [], lifetimeMs: null, pairedBy };
      if (tr.deployment !== undefined) orphan.deployment = tr.deployment;
      if (tr.instance !== undefined) orphan.instance = tr.instance;
      lives.push(orphan);
    }
  });
  for (const list of running.values()) {
    // A boot that failed as the logs end ended there too.
    for (const l of list) if (l.start!.failed) endWithoutStop(l, 'crashed-at-boot', Infinity);
    // An overtaken life whose service wrote on for a handover's length without its stop ended, or is a
    // replica that still runs: how is unknown.
    const service = list[0]?.service;
    if (service === undefined) continue;
    const lastLine = Math.max(lastOf.get(service)!, activity?.last(service, -Infinity, Infinity) ?? -Infinity);
    endOvertaken(list, (over) => lastLine - over.ts > HANDOVER_MS, true);
  }
  // Lives whose start is before the logs come first: they began earliest.
  return lives.sort((a, b) => (a.start === null ? (b.start === null ? a.stop!.ts - b.stop!.ts : -1) : b.start === null ? 1 : a.start.ts - b.start.ts));
}

/**
 * The lives another container took over from, each with the start that replaced it: a zero-downtime
 * redeploy starts the new container while the old one runs, then stops the old one cleanly. The new
 * start is the latest start of the service after the old life's start (another deployment instance,
 * when ids are known) and at or before its stop, whose own life was still up at that stop and which
 * replaced no earlier stop (the replicas of a deployment take over from the old ones one each). Such
 * a start is no restart: the service never went down. With Railway's record of when deployments
 * were created (`created`), a deploy that stops the old container before it starts the new one is
 * a replacement too: the old life is replaced by the first start after its stop of a deployment
 * created before that stop (deployStarts).
 */
export function replacements(lives: readonly ContainerLife[], created: ReadonlyMap<string, number> = new Map()): Map<ContainerLife, LifecycleTransition> {
  const out = new Map<ContainerLife, LifecycleTransition>();
  const byService = new Map<string, ContainerLife[]>();
  for (const l of lives) {
    if (l.start === null) continue;
    const list = byService.get(l.service) ?? [];
    list.push(l);
    byService.set(l.service, list);
  }
  for (const list of byService.values()) list.sort((a, b) => a.start!.ts - b.start!.ts);
  const upTo = (l: ContainerLife) => l.stop?.ts ?? l.lastSeen ?? Infinity;
  const used = new Set<LifecycleTransition>();
  const deploys = deployStarts(lives, created);
  const stopped = lives.filter((l) => l.stop !== null && !l.stop.failed && !(l.start?.failed ?? false) && l.next?.afterFailure !== true);
  for (const old of stopped.sort((a, b) => a.stop!.ts - b.stop!.ts)) {
    const stop = old.stop!;
    const list = byService.get(old.service) ?? [];
    // The latest start at or before the stop, walking back to the old life's own start.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start!.ts <= stop.ts) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo - 1; j >= 0; j--) {
      const l = list[j]!;
      const s = l.start!;
      if (old.start !== null && s.ts <= old.start.ts) break;
      if (l === old || s.failed || used.has(s) || upTo(l) <= stop.ts || (s.key !== '' && s.key === old.start?.key)) continue;
      used.add(s);
      out.set(old, s);
      break;
    }
    if (out.has(old)) continue;
    // Railway's record: a deployment created before the stop whose first start came after it (a
    // deploy that stops the old container first) replaced it; the earliest such start.
    let by: LifecycleTransition | undefined;
    for (const s of deploys) {
      if (s.service !== old.service || s.ts <= stop.ts || s.deployment === old.deployment || used.has(s) || s.failed || created.get(s.deployment!)! > stop.ts) continue;
      if (by === undefined || s.ts < by.ts) by = s;
    }
    if (by !== undefined) {
      used.add(by);
      out.set(old, by);
    }
  }
  return out;
}

/**
 * The starts Railway's record (deployments.json) shows to be deploys, never restarts: the first
 * start of each container (instance) of a deployment created before it, while no life of that
 * deployment had ended yet (a container started after one of its deployment crashed is a restart).
 */
export function deployStarts(lives: readonly ContainerLife[], created: ReadonlyMap<string, number>): Set<LifecycleTransition> {
  const out = new Set<LifecycleTransition>();
  if (created.size === 0) return out;
  const firstEnd = new Map<string, number>();
  const first = new Map<string, LifecycleTransition>();
  for (const l of lives) {
    if (l.deployment === undefined) continue;
    const end = l.stop?.ts ?? (l.ended !== undefined ? l.lastSeen : undefined);
    if (end !== undefined && end < (firstEnd.get(l.deployment) ?? Infinity)) firstEnd.set(l.deployment, end);
    const s = l.start;
    if (s !== null && (first.get(s.key)?.ts ?? Infinity) > s.ts) first.set(s.key, s);
  }
  for (const s of first.values()) {
    const at = s.deployment === undefined ? undefined : created.get(s.deployment);
    if (at !== undefined && at <= s.ts && s.ts < (firstEnd.get(s.deployment!) ?? Infinity)) out.add(s);
  }
  return out;
}

/**
 * The starts that follow a life which ended with a clean stop of its own, each with that life: the
 * program logged its graceful shutdown (not a crash, a kill, an exit with a failure code or a boot
 * that failed), so someone asked for the stop (a deploy that stops the old container first, a manual
 * restart), and the next start of the service is that deploy or restart, not one the platform made.
 * The start is the first of the service after the stop, when no life of the service ended otherwise
 * in between and its own lines do not report the previous life's crash.
 */
export function startsAfterCleanStop(lives: readonly ContainerLife[], starts: readonly LifecycleTransition[]): Map<LifecycleTransition, ContainerLife> {
  const out = new Map<LifecycleTransition, ContainerLife>();
  const byService = new Map<string, LifecycleTransition[]>();
  for (const s of starts) {
    const list = byService.get(s.service) ?? [];
    list.push(s);
    byService.set(s.service, list);
  }
  for (const list of byService.values()) list.sort((a, b) => a.ts - b.ts);
  /** The first of sorted `xs` (by `at`) after `ts`, or undefined. */
  const firstAfter = <T>(xs: readonly T[] | undefined, at: (x: T) => number, ts: number): T | undefined => {
    if (xs === undefined) return undefined;
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at(xs[mid]!) <= ts) lo = mid + 1;
      else hi = mid;
    }
    return xs[lo];
  };
  /** The ends of lives that did not stop cleanly (a failed stop, a failed boot, a silent end), per service. */
  const otherEnds = new Map<string, number[]>();
  const cleanlyStopped: ContainerLife[] = [];
  for (const l of lives) {
    const stop = l.stop;
    const ownStop = stop !== null && stop.markers.some((m) => m.kind === 'stop' && m.scope === 'process' && m.program !== undefined);
    if (stop !== null && ownStop && !stop.failed && !(l.start?.failed ?? false)) cleanlyStopped.push(l);
    else {
      const end = stop?.ts ?? l.lastSeen;
      if (end === undefined) continue;
      const ends = otherEnds.get(l.service) ?? [];
      ends.push(end);
      otherEnds.set(l.service, ends);
    }
  }
  for (const ends of otherEnds.values()) ends.sort((a, b) => a - b);
  for (const l of cleanlyStopped) {
    const stop = l.stop!;
    const next = firstAfter(byService.get(l.service), (s) => s.ts, stop.ts);
    if (next === undefined || next.afterFailure === true || out.has(next)) continue;
    if ((firstAfter(otherEnds.get(l.service), (end) => end, stop.ts) ?? Infinity) < next.ts) continue;
    out.set(next, l);
  }
  return out;
}

/** When each deployment was created (epoch ms), by id, from Railway's record (the platform events of deployments.json). */
function deploymentsCreated(t: TimelineSummary): Map<string, number> {
  const out = new Map<string, number>();
  const platform = new Set(t.templates.filter((tpl) => tpl.source === 'platform').map((tpl) => tpl.id));
  if (platform.size === 0) return out;
  for (const ev of eventsOfTemplates(t, (id) => platform.has(id))) {
    const d = deploymentOf(ev);
    if (ev.ts !== null && d !== undefined && ev.attrs?.created === true) out.set(d, ev.ts);
  }
  return out;
}

/** Markers, transitions and lives of a timeline. */
export interface Lifecycle {
  markers: LifecycleMarker[];
  transitions: LifecycleTransition[];
  starts: LifecycleTransition[];
  stops: LifecycleTransition[];
  lives: ContainerLife[];
  /** When each deployment was created, by id, when Railway's record is read (deployments.json): for replacements() and deployStarts(). */
  created: Map<string, number>;
}

const cache = new WeakMap<TimelineSummary, Lifecycle>();

/** Lines written this long after a stop's last line are not its shutdown tail. */
const SHUTDOWN_TAIL_MS = 30_000;

/** A service's lines from the timeline's per-template times (lifecycle lines excluded). */
export function activityOf(t: TimelineSummary): Activity {
  // Built on the first question: most timelines never ask one.
  let byService: Map<string, Float64Array[]> | null = null;
  const build = () => {
    const m = new Map<string, Float64Array[]>();
    for (const tpl of t.templates) {
      if ((tpl.source !== 'app' && tpl.source !== 'postgres') || tpl.times.length === 0) continue;
      if (tpl.examples[0] !== undefined && classifyLifecycle(tpl.examples[0].text) !== null) continue;
      const list = m.get(tpl.service) ?? [];
      list.push(tpl.times);
      m.set(tpl.service, list);
    }
    return m;
  };
  /** Index of the first time after `from` in sorted `times`. */
  const after = (times: Float64Array, from: number) => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    any(service, from, to) {
      byService ??= build();
      for (const times of byService.get(service) ?? []) {
        const i = after(times, from);
        if (i < times.length && times[i]! < to) return true;
      }
      return false;
    },
    last(service, from, to) {
      byService ??= build();
      let best: number | null = null;
      for (const times of byService.get(service) ?? []) {
        // The last time before `to`, when it is after `from`.
        const i = after(times, to - 1e-3) - 1;
        if (i >= 0 && times[i]! > from && times[i]! < to && (best === null || times[i]! > best)) best = times[i]!;
      }
      return best;
    },
  };
}

/** The lifecycle of a timeline with the default joining rules, computed once per summary. */
export function lifecycleOf(t: TimelineSummary): Lifecycle {
  let lc = cache.get(t);
  if (lc === undefined) {
    const markers = lifecycleMarkers(t);
    const transitions = lifecycleTransitions(markers, { processes: t.processes });
    lc = {
      markers,
      transitions,
      starts: transitions.filter((x) => x.kind === 'start'),
      stops: transitions.filter((x) => x.kind === 'stop'),
      lives: containerLives(transitions, activityOf(t)),
      created: deploymentsCreated(t),
    };
    cache.set(t, lc);
  }
  return lc;
}

/** The times of each service's container starts, ascending: the bounds of its lives for lines without a deployment id. */
export function containerStarts(t: TimelineSummary): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of lifecycleOf(t).starts) {
    if (!s.container) continue;
    const l = out.get(s.service);
    if (l === undefined) out.set(s.service, [s.ts]);
    else l.push(s.ts);
  }
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

/** Stops of `services` (all when omitted), in time order: the instants a client let go of its connections. */
export function stopsOf(t: TimelineSummary, services?: ReadonlySet<string>): LifecycleTransition[] {
  return lifecycleOf(t).stops.filter((s) => services === undefined || services.has(s.service));
}
