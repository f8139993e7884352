// `hindsight analyze`: inputs → timeline → detectors → report.
import { Option, type Command } from 'commander';
import { readTimeline, runDetectors } from '../analyze.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { interruptible, writeOutput, type Io } from './io.js';

export function registerAnalyze(program: Command, io: Io): void {
  program
    .command('analyze')
    .description('Read logs and metrics, run the detectors, write the incident report.')
    .argument('[inputs...]', 'files, directories, .gz files, or - for standard input (default: standard input)')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--input-format <name>', 'read every input as this format instead of detecting it (see `hindsight formats`)')
    .option('--service <name>', 'service name for records that do not carry one (default: from the file name)')
    .option('--pg-prefix <prefix>', "PostgreSQL log_line_prefix to read stderr logs with, as in postgresql.conf (e.g. '%t [%p]: ')")
    .addHelpText(
      'after',
      `
Examples:
  railway logs --json --since 24h | hindsight analyze
  hindsight analyze samples/whendoist
  hindsight analyze api.jsonl postgres.log.gz metrics.json --format json -o report.json`,
    )
    .action(async (inputs: string[], opts: { format: string; output?: string; inputFormat?: string; service?: string; pgPrefix?: string }) => {
      const sig = interruptible();
      try {
        const { summary } = await readTimeline(inputs, { inputFormat: opts.inputFormat, service: opts.service, pgPrefix: opts.pgPrefix, shouldStop: sig.shouldStop });
        const { findings, runs } = runDetectors(summary);
        const report = { timeline: summary, findings, runs };
        writeOutput(opts.format === 'json' ? renderJson(report) : renderMarkdown(report), opts.output, io);
      } finally {
        sig.dispose();
      }
    });
}
