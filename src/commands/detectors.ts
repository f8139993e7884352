// `hindsight detectors`: every detector with its explanation and default thresholds.
import type { Command } from 'commander';
import { DETECTORS } from '../detectors/registry.js';
import { optionRange, rangeText } from '../detectors/detector.js';
import type { Io } from './io.js';

export function registerDetectors(program: Command, io: Io): void {
  program
    .command('detectors')
    .description('List the detectors with their explanation and default thresholds.')
    .action(() => {
      for (const d of DETECTORS) {
        io.stdout(`${d.meta.id}: ${d.meta.title}\n  ${d.meta.explanation}\n`);
        for (const [k, v] of Object.entries(d.meta.defaults)) {
          const doc = d.meta.optionDocs?.[k];
          const range = optionRange(d.meta, k);
          io.stdout(`  ${k} = ${JSON.stringify(v)}${range !== null ? ` [${rangeText(range)}]` : ''}${doc ? `  (${doc})` : ''}\n`);
        }
        io.stdout('\n');
      }
    });
}
