// `hindsight analyze`: inputs → timeline → detectors → report (markdown, json or text).
import { Option, type Command } from 'commander';
import { FINDING_SEVERITIES, FINDING_SEVERITY_RANK, type FindingSeverity } from '../model.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { writeOutput, type Io } from './io.js';
import { useColor } from './color.js';
import { addInputOptions, runAnalysis, type InputOptions } from './pipeline-run.js';

type Format = 'markdown' | 'json' | 'text';

interface AnalyzeOptions extends InputOptions {
  format?: Format;
  output?: string;
  failOn?: FindingSeverity;
  color?: boolean;
}

export function registerAnalyze(program: Command, io: Io): void {
  const cmd = program
    .command('analyze')
    .description('Read logs and metrics, run the detectors, write the incident report.')
    .argument('[inputs...]', 'files, directories, .gz files, - for standard input (the default), or a table: clickhouse://[user[:password]@]host[:port]/database?table=otel_logs (docs/clickhouse.md)')
    .addOption(new Option('--format <format>', 'output format (default: json for -o FILE.json, text for -o FILE.txt, else markdown)').choices(['markdown', 'json', 'text']))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a finding is this severe or worse').choices([...FINDING_SEVERITIES]))
    .option('--title <text>', 'title of the report (default: the services and the window)')
    .option('--no-color', 'no colors in --format text (also: NO_COLOR=1)');
  addInputOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  hindsight analyze --railway --project 1f2e... --environment production --since 2h   # from Railway's API (docs/railway.md)
  railway logs --json --since 2h | hindsight analyze        # piped: at most 500 lines, one deployment
  hindsight analyze samples/whendoist -o incident.md
  hindsight analyze 'clickhouse://reader@logs.internal/default?table=otel_logs' --since 6h --service api   # docs/clickhouse.md
  hindsight analyze api.jsonl postgres.log.gz metrics.json -o report.json   # JSON, from the name
  hindsight analyze logs/ --since 2h --format text          # the last two hours of the logs
  hindsight analyze logs/ --since 2026-02-07T19:00Z --until 2026-02-07T20:00Z
  hindsight analyze logs/ --fail-on high > report.md        # exit code 1 when a finding is high or worse

Exit codes: 0 done, 1 a finding reached --fail-on, 2 usage, configuration or input error.`,
    )
    .action(async (inputs: string[], opts: AnalyzeOptions) => {
      const a = await runAnalysis(inputs, opts, io);
      const report = { timeline: a.timeline, findings: a.findings, runs: a.runs, conclusions: a.conclusions, run: a.run };
      const format = opts.format ?? formatOfFile(opts.output);
      let text: string;
      if (format === 'json') text = renderJson(report);
      else if (format === 'text') {
        // Loaded on demand: cli-table3 is the heaviest import, and only this format needs it.
        const { renderText } = await import('../report/text.js');
        const toFile = opts.output !== undefined && opts.output !== '-';
        text = renderText(report, { color: useColor({ flag: opts.color, isTTY: io.stdoutIsTTY, toFile, env: io.env }), width: process.stdout.columns });
      } else text = renderMarkdown(report);
      writeOutput(text, opts.output, io);
      if (opts.failOn !== undefined) {
        const limit = FINDING_SEVERITY_RANK[opts.failOn];
        if (a.findings.some((f) => FINDING_SEVERITY_RANK[f.severity] >= limit)) io.exitCode = 1;
      }
    });
}

/** The format a file name asks for when --format is not given: `report.json` is JSON, `summary.txt` the terminal text. */
export function formatOfFile(file: string | undefined): Format {
  if (file === undefined || file === '-') return 'markdown';
  if (/\.json$/i.test(file)) return 'json';
  if (/\.txt$/i.test(file)) return 'text';
  return 'markdown';
}
