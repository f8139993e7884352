// The GraphQL operations hindsight sends to Railway, with the argument names of Railway's schema
// (railwayapp/cli's src/gql/schema.json), and the shapes of what comes back. Only these are sent;
// the test server answers exactly these.
import type { RailwayClient } from './client.js';
import { RailwayError } from './client.js';

/** Most entries one log request may ask for (the schema's limit). */
export const LOG_PAGE_LIMIT = 5000;

export interface Named {
  id: string;
  name: string;
}

/** One log entry as the API returns it. */
export interface ApiLog {
  timestamp: string;
  message: string;
  severity?: string | null;
  attributes?: { key: string; value: string }[] | null;
  tags?: { serviceId?: string | null; deploymentId?: string | null; deploymentInstanceId?: string | null } | null;
}

/** One request at Railway's edge, as the API returns it. */
export type ApiHttpLog = { timestamp: string } & Record<string, unknown>;

export interface ApiDeployment {
  id: string;
  status: string;
  createdAt: string;
  updatedAt?: string | null;
  statusUpdatedAt?: string | null;
  serviceId: string;
  environmentId?: string | null;
  deploymentStopped?: boolean | null;
}

export interface ApiMetric {
  measurement: string;
  tags: Record<string, string | null>;
  values: { ts: number; value: number }[];
}

const PROJECT = `query project($id: String!) {
  project(id: $id) {
    id
    name
    environments { edges { node { id name } } }
    services { edges { node { id name } } }
  }
}`;

/** The project with its environments and services, for the names a report shows. */
export async function fetchProject(client: RailwayClient, id: string): Promise<{ project: Named; environments: Named[]; services: Named[] }> {
  type Edges = { edges: { node: Named }[] };
  const d = await client.query<{ project: (Named & { environments: Edges; services: Edges }) | null }>(PROJECT, { id });
  if (d.project === null) throw new RailwayError(`no Railway project ${id} (or the token cannot see it)`);
  const nodes = (e: Edges) => e.edges.map((x) => x.node);
  return { project: { id: d.project.id, name: d.project.name }, environments: nodes(d.project.environments), services: nodes(d.project.services) };
}

const DEPLOYMENTS = `query deployments($input: DeploymentListInput!, $first: Int, $after: String) {
  deployments(input: $input, first: $first, after: $after) {
    edges { node { id status createdAt updatedAt statusUpdatedAt serviceId environmentId deploymentStopped } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Statuses after which a deployment runs no more. */
const ENDED = new Set(['REMOVED', 'CRASHED', 'FAILED', 'SKIPPED']);

/** When a deployment's life ended (epoch ms), or null while it runs. */
export function deploymentEnd(d: ApiDeployment): number | null {
  if (!ENDED.has(d.status) && d.deploymentStopped !== true) return null;
  return Date.parse(d.statusUpdatedAt ?? d.updatedAt ?? d.createdAt);
}

/**
 * The deployments of a service whose life overlaps [since, until], newest first. Railway lists
 * them newest first (Relay paging): the listing stops after the first deployment that ran and was
 * created before the window, the one that was serving when it opened.
 */
export async function fetchDeployments(client: RailwayClient, projectId: string, environmentId: string, serviceId: string, since: number, until: number): Promise<ApiDeployment[]> {
  type Page = { deployments: { edges: { node: ApiDeployment }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const out: ApiDeployment[] = [];
  let after: string | null = null;
  for (;;) {
    const d: Page = await client.query<Page>(DEPLOYMENTS, { input: { projectId, environmentId, serviceId }, first: 50, after });
    for (const { node } of d.deployments.edges) {
      const created = Date.parse(node.createdAt);
      const end = deploymentEnd(node);
      if (created <= until && (end === null || end >= since)) out.push(node);
      if (created < since && node.status !== 'FAILED' && node.status !== 'SKIPPED') return out;
    }
    if (!d.deployments.pageInfo.hasNextPage || d.deployments.pageInfo.endCursor === null) return out;
    after = d.deployments.pageInfo.endCursor;
  }
}

const ENVIRONMENT_LOGS = `query environmentLogs($environmentId: String!, $filter: String, $anchorDate: String, $beforeDate: String, $beforeLimit: Int) {
  environmentLogs(environmentId: $environmentId, filter: $filter, anchorDate: $anchorDate, beforeDate: $beforeDate, beforeLimit: $beforeLimit) {
    timestamp
    message
    severity
    attributes { key value }
    tags { serviceId deploymentId deploymentInstanceId }
  }
}`;

/** Up to `limit` log entries of a service before `before` (RFC 3339; at it too, perhaps: paging.ts), newest of them; `narrow`: more filter terms, joined with AND. */
export async function fetchLogsBefore(client: RailwayClient, environmentId: string, serviceId: string, before: string, limit: number, narrow?: string): Promise<ApiLog[]> {
  const filter = narrow === undefined ? `@service:${serviceId}` : `@service:${serviceId} AND ${narrow}`;
  const d = await client.query<{ environmentLogs: ApiLog[] }>(ENVIRONMENT_LOGS, { environmentId, filter, anchorDate: before, beforeDate: before, beforeLimit: limit });
  return d.environmentLogs;
}

const HTTP_LOGS = `query httpLogs($deploymentId: String!, $anchorDate: String, $beforeDate: String, $beforeLimit: Int) {
  httpLogs(deploymentId: $deploymentId, anchorDate: $anchorDate, beforeDate: $beforeDate, beforeLimit: $beforeLimit) {
    timestamp requestId method path host httpStatus totalDuration upstreamRqDuration upstreamErrors clientUa srcIp edgeRegion txBytes rxBytes deploymentId deploymentInstanceId
  }
}`;

/** Up to `limit` HTTP log entries of a deployment before `before` (at it too, perhaps), newest of them. */
export async function fetchHttpLogsBefore(client: RailwayClient, deploymentId: string, before: string, limit: number): Promise<ApiHttpLog[]> {
  const d = await client.query<{ httpLogs: ApiHttpLog[] }>(HTTP_LOGS, { deploymentId, anchorDate: before, beforeDate: before, beforeLimit: limit });
  return d.httpLogs;
}

const DOMAINS = `query domains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains { domain }
    customDomains { domain }
  }
}`;

/** Whether the service is reachable from outside (only then does Railway's edge log its requests). */
export async function hasDomain(client: RailwayClient, projectId: string, environmentId: string, serviceId: string): Promise<boolean> {
  type D = { domains: { serviceDomains: unknown[]; customDomains: unknown[] } };
  const d = await client.query<D>(DOMAINS, { projectId, environmentId, serviceId });
  return d.domains.serviceDomains.length + d.domains.customDomains.length > 0;
}

/** The measurements hindsight reads: CPU, memory, network, disk. */
export const MEASUREMENTS = ['CPU_USAGE', 'CPU_LIMIT', 'MEMORY_USAGE_GB', 'MEMORY_LIMIT_GB', 'NETWORK_RX_GB', 'NETWORK_TX_GB', 'DISK_USAGE_GB', 'EPHEMERAL_DISK_USAGE_GB'];

const METRICS = `query metrics($environmentId: String!, $serviceId: String, $startDate: DateTime!, $endDate: DateTime, $measurements: [MetricMeasurement!]!, $sampleRateSeconds: Int, $groupBy: [MetricTag!]) {
  metrics(environmentId: $environmentId, serviceId: $serviceId, startDate: $startDate, endDate: $endDate, measurements: $measurements, sampleRateSeconds: $sampleRateSeconds, groupBy: $groupBy) {
    measurement
    tags { serviceId deploymentId deploymentInstanceId }
    values { ts value }
  }
}`;

/**
 * A service's metrics over the half-open window [since, until), one series per measurement and
 * replica; about 2,000 samples a series at most. Whether Railway's `endDate` takes a sample at the
 * date itself is not documented: the window is cut here, so that a sample at the boundary of two
 * nights is in one of them.
 */
export async function fetchMetrics(client: RailwayClient, environmentId: string, serviceId: string, since: number, until: number): Promise<ApiMetric[]> {
  const sampleRateSeconds = Math.max(30, Math.ceil((until - since) / 1000 / 2000));
  const d = await client.query<{ metrics: ApiMetric[] }>(METRICS, {
    environmentId,
    serviceId,
    startDate: new Date(since).toISOString(),
    endDate: new Date(until).toISOString(),
    measurements: MEASUREMENTS,
    sampleRateSeconds,
    groupBy: ['DEPLOYMENT_INSTANCE_ID'],
  });
  const from = since / 1000;
  const to = until / 1000;
  return d.metrics.map((m) => ({ ...m, values: m.values.filter((v) => v.ts >= from && v.ts < to) }));
}
