// `hindsight formats`: the input formats, with an example line and how each is recognised.
import type { Command } from 'commander';
import { FORMATS } from '../ingest/registry.js';
import type { Io } from './io.js';

export function registerFormats(program: Command, io: Io): void {
  program
    .command('formats')
    .description('List the input formats hindsight reads, with an example line and how each is recognised.')
    .action(() => {
      for (const f of FORMATS) {
        io.stdout(`${f.id}\n  ${f.title}\n  recognised by: ${f.recognisedBy}\n  example: ${f.example}\n\n`);
      }
    });
}
