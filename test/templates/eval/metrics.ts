// Grouping accuracy (GA, Zhu et al. ICSE'19) and F1 of groups (FGA, Loghub-2.0 / Khan et al.),
// computed exactly as defined in ../shared/guide/templating.md.

export interface GroupScores {
  /** Share of lines whose predicted group holds exactly the lines of their ground-truth group. */
  ga: number;
  /** F1 over groups: a group is correct when predicted and ground-truth groups are the same set of lines. */
  fga: number;
  /** Precision and recall behind FGA. */
  precision: number;
  recall: number;
  truthGroups: number;
  predictedGroups: number;
}

/** Scores predicted group ids against ground-truth labels, line by line (same length). */
export function groupScores(truth: readonly string[], predicted: readonly (string | number)[]): GroupScores {
  if (truth.length !== predicted.length) throw new Error(`truth has ${truth.length} lines, prediction ${predicted.length}`);
  const byPred = new Map<string | number, number[]>();
  const truthSize = new Map<string, number>();
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i]!;
    let g = byPred.get(p);
    if (g === undefined) byPred.set(p, (g = []));
    g.push(i);
    truthSize.set(truth[i]!, (truthSize.get(truth[i]!) ?? 0) + 1);
  }
  let correctLines = 0;
  let correctGroups = 0;
  for (const lines of byPred.values()) {
    const t = truth[lines[0]!]!;
    // Exactly the same set of lines: every line has the same truth label, and that label has no other lines.
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) {
      correctLines += lines.length;
      correctGroups++;
    }
  }
  const precision = byPred.size === 0 ? 0 : correctGroups / byPred.size;
  const recall = truthSize.size === 0 ? 0 : correctGroups / truthSize.size;
  return {
    ga: truth.length === 0 ? 0 : correctLines / truth.length,
    fga: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    precision,
    recall,
    truthGroups: truthSize.size,
    predictedGroups: byPred.size,
  };
}
