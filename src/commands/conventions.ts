// `hindsight conventions`: the logging conventions whose own level wins over Railway's stream label,
// the lines of the programs that announce every clean stop of theirs, and the request loggers
// whose latency the slow-requests finding reads.
import type { Command } from 'commander';
import { CONVENTIONS } from '../ingest/log-conventions.js';
import { REQUEST_LATENCY_FORMATS } from '../timeline/request-latency.js';
import type { Io } from './io.js';

export function registerConventions(program: Command, io: Io): void {
  program
    .command('conventions')
    .description(
      "List the logging conventions whose level hindsight reads from the line itself (Railway labels every stderr line `error`), with how each is recognised, a line the library wrote, the lines of the programs that announce every clean stop (a life of theirs that ended without them was killed or crashed), and the request loggers whose latency slow requests are read from.",
    )
    .action(() => {
      for (const c of CONVENTIONS) {
        const shutdown = c.shutdown !== undefined ? `  announces a clean stop: ${c.shutdown}\n` : '';
        const carries = c.carries !== undefined ? `  carries other programs' lines after \`${c.carries}\`: their own level wins\n` : '';
        io.stdout(`${c.id}\n  ${c.library}\n  recognised by: ${c.recognisedBy}\n  example (${c.level ?? "no level: Railway's label stands"}): ${c.example}\n${carries}${shutdown}\n`);
      }
      io.stdout('Request loggers whose latency is read (slow requests):\n\n');
      for (const f of REQUEST_LATENCY_FORMATS) {
        const where = f.latency !== undefined ? `the \`${f.latency.key}\` member (${f.latency.unit})` : 'the line';
        io.stdout(`${f.id}\n  ${f.library}\n  latency from: ${where}\n  example: ${f.example}\n\n`);
      }
    });
}
