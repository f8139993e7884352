// Circular statistics for "does this job run at the same point of its period every time?"
// (phase lock to the clock, as cron does). Times are folded onto the period with the Unix epoch as
// anchor, so a phase of 0 means "on the hour" for an hourly job.

export interface PhaseLock {
  /** Mean phase in ms past the period boundary (0 ≤ offset < period). */
  offsetMs: number;
  /** Mean resultant length R̄ in [0, 1]: 1 = every run at the same phase. */
  rBar: number;
  /** Circular standard deviation in ms: P/(2π) · sqrt(−2 ln R̄). */
  circularSdMs: number;
  /** Rayleigh test p-value (Zar's approximation) against uniformly spread phases. */
  p: number;
}

/** Phase lock of event times against a period (ms); null for no times or a non-positive period. */
export function phaseLock(times: readonly number[], periodMs: number): PhaseLock | null {
  const n = times.length;
  if (n === 0 || !(periodMs > 0)) return null;
  let c = 0;
  let s = 0;
  for (const t of times) {
    const theta = (2 * Math.PI * (((t % periodMs) + periodMs) % periodMs)) / periodMs;
    c += Math.cos(theta);
    s += Math.sin(theta);
  }
  const rBar = Math.min(1, Math.hypot(c, s) / n);
  let mean = Math.atan2(s, c);
  if (mean < 0) mean += 2 * Math.PI;
  const circularSdMs = rBar >= 1 ? 0 : rBar <= 0 ? Infinity : (periodMs / (2 * Math.PI)) * Math.sqrt(-2 * Math.log(rBar));
  const r = n * rBar;
  const p = Math.min(1, Math.max(0, Math.exp(Math.sqrt(1 + 4 * n + 4 * (n * n - r * r)) - (1 + 2 * n))));
  return { offsetMs: (mean / (2 * Math.PI)) * periodMs, rBar, circularSdMs, p };
}
