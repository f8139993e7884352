// Builds the labelled evaluation sets: each system's templates (systems.ts) are filled with
// generated variables by a seeded random generator, 2,000 lines per system like Loghub-2k, with
// skewed template frequencies as in real logs. The label of a line is its template with every
// slot written `<*>`, so lines with the same label form one ground-truth group.

export interface Spec {
  /** Relative frequency of the template. */
  weight: number;
  /** Template with `{slot}` variables (see SLOTS). */
  text: string;
  /** The ground-truth label when it is not the text's own (`labelOf`): forms of one event. */
  label?: string;
}

export interface System {
  name: string;
  templates: Spec[];
  /** Lines that are real messages with hand-written labels, added as they are. */
  fixed?: { message: string; label: string }[];
}

export interface Labelled {
  messages: string[];
  labels: string[];
}

/** mulberry32: a small seeded generator, so the sets are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: R, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(r, 0, 15)]).join('');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const USERS = ['root', 'admin', 'test', 'oracle', 'guest', 'postgres', 'ubuntu', 'git', 'ftp', 'nagios', 'support', 'deploy', 'jenkins', 'www-data', 'mysql', 'pi', 'ftpuser', 'student', 'alex', 'maria'];
const HOSTS = ['node-a', 'worker.cluster.local', 'db-primary', 'ip-10-0-3-17', 'cache02', 'api.internal', 'mx.example.org', 'backup-host', 'ns1.example.com', 'localhost'];
const NAMES = ['billing', 'auth', 'search', 'payments', 'inventory', 'notifications', 'reports', 'gateway', 'scheduler', 'mailer', 'ledger', 'profiles'];
const TABLES = ['users', 'orders', 'sessions', 'invoices', 'task_instances', 'events', 'accounts', 'audit_log'];
const EXES = ['chrome.exe', 'Dropbox.exe', 'QQ.exe', 'SogouCloud.exe', 'WeChat.exe', 'firefox.exe', 'Skype.exe', 'outlook.exe', 'git-remote-https.exe'];
const PKGS = ['com.tencent.mm', 'com.android.systemui', 'com.google.android.gms', 'com.whatsapp', 'com.android.phone', 'com.spotify.music'];
const CLASSES = ['org.apache.hadoop.mapred.TaskTracker', 'org.apache.spark.storage.BlockManager', 'com.example.billing.InvoiceService', 'io.netty.channel.DefaultChannelPipeline', 'java.util.concurrent.ThreadPoolExecutor'];
const EXCEPTIONS = ['java.io.IOException', 'java.net.SocketTimeoutException', 'java.lang.NullPointerException', 'java.lang.IllegalStateException', 'org.apache.hadoop.ipc.RemoteException'];
const PYERR = ['TimeoutError()', "KeyError('user_id')", 'ConnectionResetError(104, \'Connection reset by peer\')', 'ValueError("invalid literal for int() with base 10: \'abc\'")', 'OperationalError: server closed the connection unexpectedly'];
const JSERR = ['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ENOTFOUND'];
const WORDS = ['alpha', 'bravo', 'delta', 'echo', 'kilo', 'lima', 'oscar', 'sierra', 'tango', 'zulu', 'nightly', 'weekly'];
const PHRASES = ['nightly backup', 'sync users', 'rebuild search index', 'send digest emails', 'purge old sessions', 'rotate keys'];
const ROUTES = ['/', '/health', '/api/v1/tasks', '/api/v1/tasks/{id}', '/api/v1/users/{id}/settings', '/login', '/dashboard', '/api/v2/orders/{id}/items', '/static/app.{hex}.js'];
const MAC_PROCS = ['kernel', 'com.apple.xpc.launchd', 'WindowServer', 'symptomsd', 'Dock', 'loginwindow', 'mDNSResponder', 'sharingd'];
const DIRS = ['/var/log', '/tmp', '/home/alex', '/srv/data', '/opt/app/releases', '/etc/nginx'];
const FILES = ['app.log', 'config.yaml', 'index.html', 'cache.db', 'report.csv', 'id_rsa.pub'];

/** Slot generators: the variable parts real logs carry. */
export const SLOTS: Record<string, (r: R) => string> = {
  int: (r) => String(int(r, 0, r() < 0.5 ? 99 : 999999)),
  small: (r) => String(int(r, 0, 64)),
  neg: (r) => String(int(r, -500, 500)),
  float: (r) => (r() * 1000).toFixed(int(r, 1, 4)),
  pct: (r) => (r() * 100).toFixed(1) + '%',
  ip: (r) => `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`,
  port: (r) => String(int(r, 1024, 65535)),
  ipport: (r) => `${SLOTS.ip!(r)}:${SLOTS.port!(r)}`,
  slaship: (r) => `/${SLOTS.ip!(r)}:${SLOTS.port!(r)}`,
  hex8: (r) => hex(r, 8),
  hex16: (r) => '0x' + hex(r, 16),
  sha: (r) => hex(r, 40),
  uuid: (r) => `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
  blk: (r) => `blk_${r() < 0.5 ? '-' : ''}${int(r, 100000000, 999999999)}${int(r, 100000000, 999999999)}`,
  ms: (r) => `${int(r, 0, 5000)}ms`,
  secs: (r) => `${(r() * 30).toFixed(int(r, 1, 3))}s`,
  date: (r) => `2024-${pad(int(r, 1, 12))}-${pad(int(r, 1, 28))}`,
  time: (r) => `${pad(int(r, 0, 23))}:${pad(int(r, 0, 59))}:${pad(int(r, 0, 59))}`,
  ts: (r) => `${SLOTS.date!(r)} ${SLOTS.time!(r)},${pad(int(r, 0, 999), 3)}`,
  iso: (r) => `${SLOTS.date!(r)}T${SLOTS.time!(r)}.${pad(int(r, 0, 999), 3)}Z`,
  user: (r) => (r() < 0.04 ? pick(r, ['test user', 'john smith', 'sales dept']) : pick(r, USERS)),
  uname: (r) => pick(r, USERS),
  host: (r) => pick(r, HOSTS),
  name: (r) => pick(r, NAMES),
  table: (r) => pick(r, TABLES),
  exe: (r) => pick(r, EXES),
  pkg: (r) => pick(r, PKGS),
  cls: (r) => pick(r, CLASSES),
  exc: (r) => pick(r, EXCEPTIONS),
  pyerr: (r) => pick(r, PYERR),
  jserr: (r) => pick(r, JSERR),
  word: (r) => pick(r, WORDS),
  phrase: (r) => pick(r, PHRASES),
  route: (r) => pick(r, ROUTES).replace('{id}', String(int(r, 1, 9999))).replace('{hex}', hex(r, 8)),
  path: (r) => `${pick(r, DIRS)}/${pick(r, FILES)}`,
  url: (r) => `https://${pick(r, ['api.stripe.com', 'hooks.slack.com', 'www.googleapis.com', 'example.org'])}/v${int(r, 1, 3)}/${pick(r, NAMES)}`,
  email: (r) => `${pick(r, USERS)}@${pick(r, ['example.com', 'gmail.com', 'corp.internal'])}`,
  proc: (r) => pick(r, MAC_PROCS),
  core: (r) => `core.${int(r, 1000, 9999)}`,
  node: (r) => `R${int(r, 0, 7)}${int(r, 0, 7)}-M${int(r, 0, 1)}-N${int(r, 0, 9)}`,
  hpcnode: (r) => `node-${int(r, 1, 255)}`,
  appid: (r) => `application_${int(r, 1400000000, 1500000000)}${pad(int(r, 0, 99), 3)}_${pad(int(r, 1, 9999), 4)}`,
  attempt: (r) => `attempt_${int(r, 1400000000, 1500000000)}_${pad(int(r, 1, 9999), 4)}_m_${pad(int(r, 0, 999999), 6)}_${int(r, 0, 3)}`,
  container: (r) => `container_${int(r, 1400000000, 1500000000)}_${pad(int(r, 1, 9999), 4)}_01_${pad(int(r, 1, 999999), 6)}`,
  rdd: (r) => `rdd_${int(r, 0, 99)}_${int(r, 0, 99)}`,
  sid: (r) => `0x${hex(r, 14)}`,
  winpath: (r) => `C:\\Windows\\WinSxS\\${pick(r, ['amd64', 'x86', 'wow64'])}_microsoft-windows-${pick(r, NAMES)}_31bf3856ad364e35_6.1.7601.${int(r, 17000, 24000)}_none_${hex(r, 16)}`,
  kb: (r) => `KB${int(r, 2000000, 4999999)}`,
  version: (r) => `v${int(r, 0, 9)}.${int(r, 0, 40)}.${int(r, 0, 20)}`,
  pid: (r) => String(int(r, 100, 65000)),
  tty: (r) => pick(r, ['NODEVssh', 'pts/1', 'ssh', 'tty1']),
  method: (r) => pick(r, ['GET', 'GET', 'POST', 'PUT', 'DELETE']),
  status: (r) => String(pick(r, [200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 500, 502, 503])),
  step: (r) => String(int(r, 0, 20000)),
  quoted: (r) => `'${pick(r, WORDS)}'`,
  dquoted: (r) => `"${pick(r, TABLES)}"`,
  json: (r) => `{"id":${int(r, 1, 9999)},"name":"${pick(r, WORDS)}"}`,
};

/** The label of a template: every slot becomes `<*>`. */
export function labelOf(text: string): string {
  return text.replace(/\{[a-z0-9]+\}/g, '<*>');
}

/** Fills a template's slots. */
export function fill(text: string, r: R): string {
  return text.replace(/\{([a-z0-9]+)\}/g, (_, s: string) => {
    const g = SLOTS[s];
    if (!g) throw new Error(`unknown slot {${s}} in ${text}`);
    return g(r);
  });
}

/** `n` labelled lines of a system: every template at least once, the rest drawn by weight. */
export function generate(system: System, n: number, seed: number): Labelled {
  const r = rng(seed);
  const messages: string[] = [];
  const labels: string[] = [];
  const fixed = system.fixed ?? [];
  for (const f of fixed) {
    messages.push(f.message);
    labels.push(f.label);
  }
  const specs = system.templates;
  for (const s of specs) {
    messages.push(fill(s.text, r));
    labels.push(s.label ?? labelOf(s.text));
  }
  let total = 0;
  for (const s of specs) total += s.weight;
  while (messages.length < n) {
    let x = r() * total;
    let s = specs[0]!;
    for (const c of specs) {
      x -= c.weight;
      if (x < 0) {
        s = c;
        break;
      }
    }
    messages.push(fill(s.text, r));
    labels.push(s.label ?? labelOf(s.text));
  }
  // Shuffle (Fisher–Yates) so that the first occurrences are not all at the top.
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [messages[i], messages[j]] = [messages[j]!, messages[i]!];
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return { messages, labels };
}
