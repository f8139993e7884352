// A second evaluation set, written after the miner's rules were settled and not used to tune
// them: systemd/kernel, nginx, Kafka, Redis, Rails/Sidekiq, Celery, Kubernetes and a
// Railway-style Node app. Its score is the more honest estimate of accuracy on unseen logs.
// First measurement: GA 0.974, FGA 0.929 (systemd's "Started <name>.service." has one constant
// besides the variable; families with a single other constant now merge on 8+ distinct words).
// After that one general fix: GA 1.000, FGA 1.000 — no longer untouched, so read it as such.
import type { System } from './generate.js';

export const HOLDOUT: System[] = [
  {
    name: 'systemd',
    templates: [
      { weight: 20, text: 'Started Session {int} of user {uname}.' },
      { weight: 20, text: 'New session {int} of user {uname}.' },
      { weight: 18, text: 'Removed session {int}.' },
      { weight: 10, text: 'Starting {name}.service...' },
      { weight: 10, text: 'Started {name}.service.' },
      { weight: 6, text: '{name}.service: Main process exited, code=exited, status={small}/FAILURE' },
      { weight: 6, text: '{name}.service: Failed with result \'exit-code\'.' },
      { weight: 4, text: 'Reached target Multi-User System.' },
      { weight: 4, text: 'Reached target Network is Online.' },
      { weight: 3, text: 'Out of memory: Killed process {pid} ({word}) total-vm:{int}kB, anon-rss:{int}kB, file-rss:{int}kB' },
      { weight: 2, text: 'EXT4-fs ({word}): mounted filesystem with ordered data mode. Opts: (null)' },
      { weight: 1, text: 'usb {small}-{small}: new high-speed USB device number {small} using xhci_hcd' },
    ],
  },
  {
    name: 'nginx',
    templates: [
      { weight: 30, text: '{ip} - - [{iso}] "GET {route} HTTP/1.1" {status} {int} "-" "curl/8.1.2"' },
      { weight: 12, text: '{ip} - - [{iso}] "POST {route} HTTP/1.1" {status} {int} "-" "python-requests/2.31"' },
      { weight: 8, text: '*{int} connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, server: {host}, request: "GET {route} HTTP/1.1", upstream: "http://{ipport}{route}", host: "{host}"' },
      { weight: 6, text: '*{int} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: {host}' },
      { weight: 5, text: 'signal process started' },
      { weight: 4, text: '*{int} open() "{path}" failed (2: No such file or directory), client: {ip}, server: {host}' },
      { weight: 2, text: 'worker process {pid} exited on signal {small}' },
    ],
  },
  {
    name: 'Kafka',
    templates: [
      { weight: 20, text: '[Log partition={name}-{small}, dir=/var/lib/kafka/data] Rolled new log segment at offset {int} in {int} ms.' },
      { weight: 15, text: '[Log partition={name}-{small}, dir=/var/lib/kafka/data] Deleting segment files LogSegment(baseOffset={int}, size={int})' },
      { weight: 12, text: '[GroupCoordinator {small}]: Preparing to rebalance group {name} in state PreparingRebalance with old generation {int} (__consumer_offsets-{small}) (reason: Adding new member {uuid})' },
      { weight: 12, text: '[GroupCoordinator {small}]: Stabilized group {name} generation {int} (__consumer_offsets-{small})' },
      { weight: 8, text: '[Controller id={small}] Processing automatic preferred replica leader election' },
      { weight: 6, text: '[ReplicaFetcher replicaId={small}, leaderId={small}, fetcherId={small}] Error sending fetch request (sessionId={int}, epoch={int}) to node {small}: java.io.IOException: Connection to {small} was disconnected before the response was read' },
      { weight: 3, text: 'Session expired for broker {small}' },
    ],
  },
  {
    name: 'Redis',
    templates: [
      { weight: 25, text: '{small} changes in {small} seconds. Saving...' },
      { weight: 25, text: 'Background saving started by pid {pid}' },
      { weight: 20, text: 'DB saved on disk' },
      { weight: 15, text: 'Background saving terminated with success' },
      { weight: 5, text: 'RDB: {small} MB of memory used by copy-on-write' },
      { weight: 3, text: 'Client id={int} addr={ipport} laddr={ipport} fd={small} name= age={int} idle={small} flags=N db=0 sub=0 psub=0 multi=-1 qbuf=0 cmd=client|list closed for overcoming of output buffer limits.' },
      { weight: 2, text: 'WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.' },
      { weight: 1, text: 'Server initialized' },
    ],
  },
  {
    name: 'Rails',
    templates: [
      { weight: 25, text: 'Started GET "{route}" for {ip} at {ts} +0000' },
      { weight: 10, text: 'Started POST "{route}" for {ip} at {ts} +0000' },
      { weight: 25, text: 'Completed {status} OK in {int}ms (Views: {float}ms | ActiveRecord: {float}ms | Allocations: {int})' },
      { weight: 10, text: 'Processing by {word}Controller#index as HTML' },
      { weight: 8, text: 'Performed {word}Job (Job ID: {uuid}) from Sidekiq(default) in {float}ms' },
      { weight: 5, text: 'ActiveRecord::RecordNotFound (Couldn\'t find User with \'id\'={int}):' },
      { weight: 4, text: 'ActionController::RoutingError (No route matches [GET] "{route}"):' },
      { weight: 3, text: 'Redirected to {url}' },
    ],
  },
  {
    name: 'Celery',
    templates: [
      { weight: 25, text: 'Task {name}.tasks.{word}[{uuid}] received' },
      { weight: 25, text: 'Task {name}.tasks.{word}[{uuid}] succeeded in {float}s: None' },
      { weight: 8, text: 'Task {name}.tasks.{word}[{uuid}] raised unexpected: {pyerr}' },
      { weight: 6, text: 'Task {name}.tasks.{word}[{uuid}] retry: Retry in {small}s: {pyerr}' },
      { weight: 5, text: 'Connected to redis://{host}:{port}/0' },
      { weight: 4, text: 'mingle: searching for neighbors' },
      { weight: 4, text: 'mingle: all alone' },
      { weight: 2, text: 'celery@{host} ready.' },
    ],
  },
  {
    name: 'Kubernetes',
    templates: [
      { weight: 20, text: 'Successfully assigned {name}/{name}-{hex8}-{word} to {host}' },
      { weight: 15, text: 'Pulling image "{host}/{name}:{version}"' },
      { weight: 15, text: 'Successfully pulled image "{host}/{name}:{version}" in {secs}' },
      { weight: 10, text: 'Created container {name}' },
      { weight: 10, text: 'Started container {name}' },
      { weight: 8, text: 'Back-off restarting failed container {name} in pod {name}-{hex8}_{name}({uuid})' },
      { weight: 6, text: 'Liveness probe failed: Get "http://{ipport}/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' },
      { weight: 4, text: 'Readiness probe failed: HTTP probe failed with statuscode: {status}' },
      { weight: 3, text: 'Killing container with id containerd://{sha}:Need to kill Pod' },
    ],
  },
  {
    name: 'Railway Node',
    templates: [
      { weight: 25, text: 'GET {route} {status} {float} ms - {int}' },
      { weight: 10, text: 'POST {route} {status} {float} ms - {int}' },
      { weight: 10, text: 'Prisma: Query took {ms}' },
      { weight: 8, text: 'Error: connect ECONNREFUSED {ipport}' },
      { weight: 8, text: 'Error: ' },
      { weight: 6, text: 'Unhandled promise rejection: {jserr}' },
      { weight: 5, text: 'Stripe webhook {word} processed for customer {hex16}' },
      { weight: 4, text: 'Sent {small} emails to {email}' },
      { weight: 3, text: 'Server listening on http://0.0.0.0:{port}' },
      { weight: 2, text: 'Shutting down gracefully (signal SIGTERM)' },
    ],
  },
];
