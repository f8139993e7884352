// The template miner: groups messages into templates ("Request failed: GET <*>").
// PLACEHOLDER implementation (mask tokens with digits, group by the masked text) until the
// template-mining issue replaces the grouping; the API below is what the rest of hindsight uses.
import type { SourceKind } from '../model.js';

export interface Template {
  /** Dense id in order of creation: deterministic for the same input. */
  id: number;
  service: string;
  source: SourceKind;
  /** The template text with `<*>` for each variable. */
  text: string;
  /** True when the message ends where its variable part should be ("Materialization loop error: "). */
  emptyTail: boolean;
}

export interface MinerOptions {
  /** Templates kept at most; messages beyond go to one overflow template per service. */
  maxTemplates?: number;
}

export const DEFAULT_MAX_TEMPLATES = 5000;

export class TemplateMiner {
  private readonly byKey = new Map<string, number>();
  private readonly list: Template[] = [];
  readonly maxTemplates: number;
  /** Messages that found no room (counted in the overflow templates). */
  overflowCount = 0;

  constructor(options: MinerOptions = {}) {
    this.maxTemplates = options.maxTemplates ?? DEFAULT_MAX_TEMPLATES;
  }

  /** Template id of a message, creating the template when it is new. */
  add(service: string, message: string, source: SourceKind = 'app'): number {
    const text = message
      .split(' ')
      .map((t) => (/\d/.test(t) ? '<*>' : t))
      .join(' ');
    const key = service + '\u0000' + text;
    let id = this.byKey.get(key);
    if (id !== undefined) return id;
    if (this.list.length >= this.maxTemplates) {
      this.overflowCount++;
      const ok = service + '\u0000<overflow>';
      id = this.byKey.get(ok);
      if (id !== undefined) return id;
      id = this.list.length;
      this.list.push({ id, service, source, text: '<overflow: template cap reached>', emptyTail: false });
      this.byKey.set(ok, id);
      return id;
    }
    id = this.list.length;
    const trimmed = message.trimEnd();
    this.list.push({ id, service, source, text, emptyTail: trimmed.endsWith(':') || trimmed.endsWith('=') });
    this.byKey.set(key, id);
    return id;
  }

  template(id: number): Template {
    return this.list[id]!;
  }

  templates(): readonly Template[] {
    return this.list;
  }
}
