// `hindsight conventions`: the logging conventions whose own level wins over Railway's stream label.
import type { Command } from 'commander';
import { CONVENTIONS } from '../ingest/log-conventions.js';
import type { Io } from './io.js';

export function registerConventions(program: Command, io: Io): void {
  program
    .command('conventions')
    .description(
      "List the logging conventions whose level hindsight reads from the line itself (Railway labels every stderr line `error`), with how each is recognised and a line the library wrote.",
    )
    .action(() => {
      for (const c of CONVENTIONS) {
        io.stdout(`${c.id}\n  ${c.library}\n  recognised by: ${c.recognisedBy}\n  example (${c.level ?? "no level: Railway's label stands"}): ${c.example}\n\n`);
      }
    });
}
