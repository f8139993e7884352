// Putting log content into markdown without letting it change the document: fenced blocks whose
// fence is longer than any backtick run inside, inline code likewise, table cells with pipes
// escaped, and prose with HTML and markdown punctuation escaped. Everything passes through
// `redact` first, so no output path can skip it.
import { cutText, inline, redact } from '../redact.js';
import { inputName, int, plural } from '../words.js';
import type { InputSummary } from '../model.js';

/** A fenced code block around `lines` (redacted), with a fence no line can close early. */
export function fenced(lines: readonly string[], info = ''): string {
  const body = lines.map((l) => redact(l).replace(/\r/g, ''));
  let longest = 0;
  for (const l of body) {
    const runs = l.match(/`+|~+/g);
    if (runs) for (const r of runs) if (r[0] === '`' && r.length > longest) longest = r.length;
  }
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body.join('\n')}\n${fence}`;
}

/** Inline code of `text` (redacted, one line), delimited so that backticks inside stay literal. */
export function code(text: string): string {
  const s = redact(text).replace(/[\r\n]+/g, ' ');
  let longest = 0;
  const runs = s.match(/`+/g);
  if (runs) for (const r of runs) if (r.length > longest) longest = r.length;
  const tick = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim().length > 0) ? ' ' : '';
  return s.length === 0 ? '`(empty)`' : `${tick}${pad}${s}${pad}${tick}`;
}

/**
 * Prose from a finding or a log (redacted): HTML cannot open, markdown punctuation cannot start
 * emphasis, links or code, and a line cannot turn into a heading, quote or list. Line breaks stay.
 * A quoted template ("Request failed: GET <*>") and a `code span` become inline code (delimited
 * safely), which reads better than escaped angle brackets and backticks.
 */
export function prose(text: string): string {
  const s = redact(text).replace(/\r/g, '');
  let out = '';
  let last = 0;
  for (const m of s.matchAll(QUOTED_TEMPLATE)) {
    out += escapeProse(s.slice(last, m.index)) + code(m[1] ?? m[2]!);
    last = m.index + m[0].length;
  }
  return out + escapeProse(s.slice(last));
}

/**
 * A name or a title (a service, a finding's title, `--title`) as prose on one line: a line break
 * in it is shown as its picture (␤) rather than starting a new line, heading or list item.
 */
export function name(text: string): string {
  return prose(inline(text));
}

// A quoted template, or a span the detector already marked as code with single backticks.
const QUOTED_TEMPLATE = /"([^"\n]*<\*>[^"\n]*)"|`([^`\n]+)`/g;

function escapeProse(s: string): string {
  return s
    .split('\n')
    .map((line) =>
      line
        .replace(/[\\`*[\]<>&|]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '\\' + c))
        // One tilde ("~60 minutes") is harmless and common; two on a line could strike text through.
        .replace(/~/g, (c, _i: number, all: string) => (all.indexOf('~') !== all.lastIndexOf('~') ? '\\~' : c))
        // Underscores only matter at word edges (GFM ignores intraword ones: pool_pre_ping stays as is).
        .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
        .replace(/^(\s*)([#>+-]|\d+[.)])(?=\s|$)/, '$1\\$2')
        .replace(/^(\s*)(=+|-{3,})\s*$/, '$1\\$2'),
    )
    .join('\n');
}

/** A table cell: prose on one line, pipes escaped (inside code spans too, as GFM tables need). */
export function cell(text: string): string {
  return prose(text.replace(/[\r\n]+/g, ' ')).replace(/(?<!\\)\|/g, '\\|');
}

/** Text for a Mermaid string literal: no quotes or characters that end the directive. */
export function mermaidLabel(text: string): string {
  return redact(text).replace(/["`\r\n;#{}<>]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `2026-02-07T19:12:02` (UTC, seconds, no zone letter), the review's evidence style. */
export function evidenceTime(iso: string | null): string {
  if (iso === null) return '                   ';
  return iso.slice(0, 19);
}

/**
 * What the run left out on purpose (records outside --since/--until, records the configuration's
 * ignoreTemplates matched), one plain sentence each: said next to the findings, since "nothing
 * found" about a part of the logs reads as "nothing wrong" about all of them.
 */
export function leftOutSentences(r: { outsideWindow?: number; ignored?: number } | undefined): string[] {
  const out: string[] = [];
  if (r?.outsideWindow) out.push(`${int(r.outsideWindow)} ${r.outsideWindow === 1 ? 'record or sample' : 'records and samples'} outside the window given with --since/--until ${r.outsideWindow === 1 ? 'was' : 'were'} left out.`);
  if (r?.ignored) out.push(`${plural(r.ignored, 'record')} matched the configuration's ignoreTemplates and ${r.ignored === 1 ? 'was' : 'were'} left out.`);
  return out;
}

/**
 * The inputs' warnings as a quote, for the top of a report or digest: a report on a cut input (500
 * lines of a piped `railway logs`, a truncated gzip, a read stopped by Ctrl-C) must say so where it
 * is read first, not only in the appendix. At most three, then a count; nothing when all is well.
 */
export function inputWarnings(inputs: readonly InputSummary[], more = 'in the appendix'): string[] {
  const all = inputs.flatMap((i) => i.warnings.map((w) => ({ path: i.path, w })));
  if (all.length === 0) return [];
  const lines = all.slice(0, 3).map(({ path, w }) => `> **Input ${code(inputName(path))}:** ${name(w)}`);
  if (all.length > 3) lines.push(`> ${plural(all.length - 3, 'more warning')} ${more}.`);
  return [lines.join('\n>\n'), ''];
}

/** `s` on one line, without its final period, cut at a word to at most `max` characters (then `…`). */
export function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  if (one.length <= max) return one;
  const cut = cutText(one, max, '');
  const sp = cut.lastIndexOf(' ');
  return (sp > max * 0.6 ? cut.slice(0, sp) : cut) + '…';
}
