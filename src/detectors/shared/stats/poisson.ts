// Poisson tail probabilities for "is this many events in this window unusual for the baseline
// rate?". simple-statistics' poissonDistribution builds a PMF table and gives up for large λ, and
// 1 − CDF loses every digit when the answer is tiny (a real burst has p ≈ 1e-20), so the upper tail
// is summed directly from k upward in log space.
import { gammaln } from 'simple-statistics';

/** P(X ≥ k) for X ~ Poisson(mu). Accurate for tiny tails; 1 for k ≤ 0, 0 for mu = 0 and k > 0. */
export function poissonUpperTail(k: number, mu: number): number {
  if (k <= 0) return 1;
  if (!(mu > 0)) return 0;
  if (mu >= k) {
    // The tail is large: 1 − P(X < k) is accurate, summed in log space term by term.
    let term = Math.exp(-mu);
    let lower = term;
    for (let j = 1; j < k; j++) {
      term *= mu / j;
      lower += term;
      if (!Number.isFinite(term)) return 1;
    }
    if (lower === 0) {
      // exp(-mu) underflowed: compute the lower tail in log space instead.
      let logLower = -Infinity;
      for (let j = 0; j < k; j++) logLower = logAdd(logLower, j * Math.log(mu) - mu - gammaln(j + 1));
      return Math.max(0, 1 - Math.exp(logLower));
    }
    return Math.max(0, 1 - lower);
  }
  const logFirst = k * Math.log(mu) - mu - gammaln(k + 1);
  // Σ_{m≥0} Π_{i=1..m} mu/(k+i): terms shrink geometrically because mu < k.
  let sum = 1;
  let term = 1;
  for (let i = 1; i < 1000; i++) {
    term *= mu / (k + i);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.exp(logFirst + Math.log(sum)));
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
