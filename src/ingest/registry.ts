// Every input format hindsight reads. Adding a format: write ./formats/<id>.ts, add it here.
// Order matters only for ties in sniffing: the more specific format comes first.
import type { InputFormat, ParseOptions } from './format.js';
import { railwayJson } from './formats/railway-json.js';
import { railwayText } from './formats/railway-text.js';
import { raw } from './formats/raw.js';
import { postgresStderr } from './formats/postgres-stderr.js';
import { postgresCsv } from './formats/postgres-csv.js';
import { postgresJson, cnpg } from './formats/postgres-json.js';
import { postgresSyslog, herokuLogplex } from './formats/postgres-syslog.js';
import { railwayHttp } from './formats/railway-http.js';
import { railwayMetrics } from './formats/railway-metrics.js';
import { railwayDeployments } from './formats/railway-deployments.js';
import { metricsCsv } from './formats/metrics-csv.js';
import { prometheus } from './formats/prometheus.js';
import { cloudSql } from './formats/cloud-sql.js';
import { awsCloudwatch } from './formats/aws-cloudwatch.js';
import { azurePostgres } from './formats/azure-postgres.js';
import { supabase } from './formats/supabase.js';

export const FORMATS: readonly InputFormat[] = [railwayJson, railwayHttp, railwayText, postgresStderr, postgresCsv, postgresJson, cnpg, postgresSyslog, herokuLogplex, cloudSql, awsCloudwatch, azurePostgres, supabase, railwayMetrics, railwayDeployments, prometheus, metricsCsv, raw];

export function formatById(id: string): InputFormat | undefined {
  return FORMATS.find((f) => f.id === id);
}

/** Scores below this are not a recognition. */
export const MIN_SNIFF_SCORE = 0.1;

/** The format whose sniff scores highest on the first lines of an input, with its reason. */
export function sniffFormat(lines: readonly string[], options?: ParseOptions): { format: InputFormat; score: number; reason: string } | null {
  let best: { format: InputFormat; score: number; reason: string } | null = null;
  for (const f of FORMATS) {
    const r = f.sniff(lines, options);
    if (r.score >= MIN_SNIFF_SCORE && (best === null || r.score > best.score)) best = { format: f, score: r.score, reason: r.reason };
  }
  return best;
}
