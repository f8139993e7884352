// Sections 3 and 4 of the markdown report, Architecture Gaps and What's Working Well, as the
// analysis concluded them (src/conclusions/): each item with the sections of the findings it rests on.
import { name, prose } from '../markdown-text.js';
import type { Insight, Strength } from '../../conclusions/insights.js';
import { listJoin } from '../../words.js';
import type { Ctx } from './context.js';

export function gapsSection(ctx: Ctx, gaps: readonly Insight[]): string[] {
  const out: string[] = ['## 3. Architecture Gaps', ''];
  if (gaps.length === 0) out.push('Nothing in the findings points at a gap in the architecture.', '');
  gaps.forEach((g, i) => {
    out.push(`### 3.${i + 1} ${name(g.title)}`, '', prose(g.text), '', `*Rests on ${citeList(ctx, g)}.*`, '');
  });
  return out;
}

export function workingWellSection(ctx: Ctx, good: readonly Strength[]): string[] {
  const out: string[] = ["## 4. What's Working Well", ''];
  if (good.length === 0) out.push('No healthy signal stands out in these inputs.', '');
  for (const g of good) out.push(`- **${name(g.title)}** — ${prose(g.text)}${g.cites.length > 0 ? ` (${citeList(ctx, g, true)})` : ''}`);
  if (good.length > 0) out.push('');
  return out;
}

/** `1.2` before `1.10`, `1.x` before `2.x`. */
function bySection(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1! - b1! || a2! - b2!;
}

function citeList(ctx: Ctx, g: Insight, short = false): string {
  if (g.cites.length === 0) return 'the figures of this run';
  const refs = [...new Set(g.cites.map((f) => ctx.ref.get(f.id)).filter((r): r is string => r !== undefined))].sort(bySection);
  const titles = g.cites.map((f) => f.title);
  if (refs.length === 0) return name(listJoin(titles));
  if (g.cites.length === 1 && !short) return `§${refs[0]} (${name(titles[0]!)})`;
  return listJoin(refs.map((r) => `§${r}`));
}
