// `hindsight conventions`: the logging conventions whose own level wins over Railway's stream label,
// and the lines of the programs that announce every clean stop of theirs.
import type { Command } from 'commander';
import { CONVENTIONS } from '../ingest/log-conventions.js';
import type { Io } from './io.js';

export function registerConventions(program: Command, io: Io): void {
  program
    .command('conventions')
    .description(
      "List the logging conventions whose level hindsight reads from the line itself (Railway labels every stderr line `error`), with how each is recognised, a line the library wrote, and the lines of the programs that announce every clean stop (a life of theirs that ended without them was killed or crashed).",
    )
    .action(() => {
      for (const c of CONVENTIONS) {
        const shutdown = c.shutdown !== undefined ? `  announces a clean stop: ${c.shutdown}\n` : '';
        io.stdout(`${c.id}\n  ${c.library}\n  recognised by: ${c.recognisedBy}\n  example (${c.level ?? "no level: Railway's label stands"}): ${c.example}\n${shutdown}\n`);
      }
    });
}
