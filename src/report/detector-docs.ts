// docs/detectors.md is generated from the detectors' own metadata (as ESLint generates rule docs),
// so the documentation cannot drift from the thresholds the code uses. A test compares the file.
import { optionRange, rangeText, type Detector } from '../detectors/detector.js';

/** Markdown describing every detector: explanation, thresholds with defaults, what it keeps. */
export function renderDetectorDocs(detectors: readonly Detector[]): string {
  const out: string[] = [];
  out.push('# Detectors');
  out.push('');
  out.push('<!-- Generated from each detector\'s `meta` by `npm run docs`; edit the detector, not this file. -->');
  out.push('');
  out.push('Each detector reads the timeline summary (never raw lines) and returns findings with a narrative');
  out.push('(pattern, root cause, impact, timing, recommendation), evidence lines with `input:line`, and `data`.');
  out.push('Thresholds can be overridden per detector in `hindsight.config.json` (see [config.md](config.md)).');
  out.push('`hindsight detectors` prints the same list.');
  out.push('');
  for (const d of detectors) out.push(`- [\`${d.meta.id}\`](#${d.meta.id}): ${d.meta.title}`);
  out.push('');
  for (const d of detectors) {
    out.push(`## ${d.meta.id}`);
    out.push('');
    out.push(`**${d.meta.title}.** ${d.meta.explanation}`);
    out.push('');
    const keys = Object.keys(d.meta.defaults);
    if (keys.length > 0) {
      out.push('| option | default | accepts | meaning |');
      out.push('|---|---|---|---|');
      for (const k of keys) {
        const doc = d.meta.optionDocs?.[k] ?? '';
        const range = optionRange(d.meta, k);
        out.push(`| \`${k}\` | \`${JSON.stringify(d.meta.defaults[k])}\` | ${range !== null ? rangeText(range) : ''} | ${doc.replace(/\|/g, '\\|')} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}
