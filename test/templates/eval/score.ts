// Runs the miner on one labelled system as the benchmark does (bare messages, one service, one
// configuration for all) and scores its final groups.
import { TemplateMiner } from '../../../src/templates/miner.js';
import { groupScores, type GroupScores } from './metrics.js';

/** Mines one system's messages and scores the final groups. */
export function scoreSystem(messages: readonly string[], labels: readonly string[]): GroupScores {
  const miner = new TemplateMiner();
  const ids = messages.map((m) => miner.add('eval', m));
  const fin = miner.finalize();
  return groupScores(labels, ids.map((id) => fin.idOf(id)));
}
