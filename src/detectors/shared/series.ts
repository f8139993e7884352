// Metric series as detectors need them. The timeline keeps one series per service and measurement,
// so the samples of several replicas (or of the old and new container during a zero-downtime
// deploy) arrive interleaved with equal timestamps; Railway bills, and its dashboard's Sum view
// shows, their sum.

/** The series with samples at the same timestamp summed into one (input sorted by time). */
export function sumSameTimestamps(ts: readonly number[], values: readonly number[]): { ts: number[]; values: number[] } {
  let dup = false;
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] === ts[i - 1]) {
      dup = true;
      break;
    }
  }
  if (!dup) return { ts: ts as number[], values: values as number[] };
  const outTs: number[] = [];
  const outV: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    const n = outTs.length;
    if (n > 0 && outTs[n - 1] === ts[i]) outV[n - 1]! += values[i]!;
    else {
      outTs.push(ts[i]!);
      outV.push(values[i]!);
    }
  }
  return { ts: outTs, values: outV };
}
