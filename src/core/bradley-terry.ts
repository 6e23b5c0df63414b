// Bradley–Terry strengths by penalised maximum likelihood (Newton's method), from a win matrix:
// the fit behind pElo (elo.ts), apart from how battles are chosen and resampled.

/**
 * A weak L2 penalty on the log-strengths (DECISIONS: ≤ 1e-6): it keeps the fit finite when a model
 * won (or lost) every battle, and moves a fit that exists by far less than 0.1 Elo.
 */
export const ELO_PENALTY = 1e-6;

/**
 * Maximises Σ wins_ij · log σ(β_i − β_j) − (penalty / 2) · Σ β_i² over the log-strengths β with
 * β_anchor = 0, by Newton's method with step halving (the objective is strictly concave, so this
 * converges from any start). `wins` is k × k, row-major: wins[i * k + j] = battles model i won
 * against model j. Returns β (natural-log odds units), one per model.
 */
export function fitBradleyTerry(wins: Float64Array, anchorIndex: number, start?: Float64Array, penalty = ELO_PENALTY): Float64Array {
  const k = Math.round(Math.sqrt(wins.length));
  const beta = start ? Float64Array.from(start) : new Float64Array(k);
  beta[anchorIndex] = 0;
  const free = Array.from({ length: k }, (_, i) => i).filter((i) => i !== anchorIndex);
  let value = objective(wins, k, beta, penalty);
  for (let iteration = 0; iteration < 200; iteration++) {
    const { gradient, hessian } = derivatives(wins, k, beta, penalty, free);
    const step = solvePositiveDefinite(hessian, gradient);
    let scale = 1;
    let next = beta;
    let nextValue = value;
    for (let halvings = 0; halvings < 60; halvings++, scale /= 2) {
      next = Float64Array.from(beta);
      free.forEach((i, f) => (next[i] = (beta[i] as number) + scale * (step[f] as number)));
      nextValue = objective(wins, k, next, penalty);
      if (nextValue >= value - 1e-12 * Math.abs(value)) break;
    }
    const moved = Math.max(0, ...step.map((s) => Math.abs(s * scale)));
    beta.set(next);
    value = nextValue;
    if (moved < 1e-10) break;
  }
  return beta;
}

function objective(wins: Float64Array, k: number, beta: Float64Array, penalty: number): number {
  let total = 0;
  for (let i = 0; i < k; i++) {
    total -= (penalty / 2) * (beta[i] as number) ** 2;
    for (let j = 0; j < k; j++) {
      const w = wins[i * k + j] as number;
      if (w > 0) total -= w * softplus((beta[j] as number) - (beta[i] as number));
    }
  }
  return total;
}

/** log(1 + e^x) without overflow: −log σ(−x). */
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Gradient and the negated Hessian of the objective over the free models (anchor fixed). */
function derivatives(wins: Float64Array, k: number, beta: Float64Array, penalty: number, free: readonly number[]): { gradient: number[]; hessian: number[][] } {
  const grad = new Float64Array(k);
  const info = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    grad[i] = -penalty * (beta[i] as number);
    info[i * k + i] = penalty;
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const games = (wins[i * k + j] as number) + (wins[j * k + i] as number);
      if (games === 0) continue;
      const p = 1 / (1 + Math.exp((beta[j] as number) - (beta[i] as number)));
      grad[i]! += (wins[i * k + j] as number) - games * p;
      const w = games * p * (1 - p);
      info[i * k + i]! += w;
      info[i * k + j]! -= w;
    }
  }
  return { gradient: free.map((i) => grad[i] as number), hessian: free.map((i) => free.map((j) => info[i * k + j] as number)) };
}

/** Solves A x = b for a symmetric positive definite A (Cholesky). */
function solvePositiveDefinite(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (a[i] as number[])[j] as number;
      for (let m = 0; m < j; m++) s -= (l[i]![m] as number) * (l[j]![m] as number);
      l[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / (l[j]![j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= (l[i]![m] as number) * (y[m] as number);
    y[i] = s / (l[i]![i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let m = i + 1; m < n; m++) s -= (l[m]![i] as number) * (x[m] as number);
    x[i] = s / (l[i]![i] as number);
  }
  return Array.from(x);
}
