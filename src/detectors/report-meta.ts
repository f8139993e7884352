// The reports name no detector: what they need to know of one (its Summary label and figures,
// where its findings are drawn, what its sparkline counts) they ask its `meta.report`.
import type { Finding } from '../model.js';
import type { CostPanel, MemoryPanel, ReportMeta } from './detector.js';
import { detectorById } from './registry.js';

/** The `meta.report` of the detector that wrote `f` (empty for an unknown detector). */
export function reportMetaOf(f: Pick<Finding<unknown>, 'detector'>): ReportMeta<Record<string, unknown>> {
  return detectorById(f.detector)?.meta.report ?? {};
}

/** A finding the dashboard draws, with the figures its detector gives for it. */
export interface Drawn<P> {
  f: Finding;
  data: P;
}

/** The findings drawn beside the memory series, with their figures. */
export function memoryPanels(findings: readonly Finding[]): Drawn<MemoryPanel>[] {
  return findings.flatMap((f) => {
    const d = reportMetaOf(f).dashboard;
    return d !== undefined && 'memory' in d ? [{ f, data: d.memory(f) }] : [];
  });
}

/** The findings drawn as cost tables, with their figures. */
export function costPanels(findings: readonly Finding[]): Drawn<CostPanel>[] {
  return findings.flatMap((f) => {
    const d = reportMetaOf(f).dashboard;
    return d !== undefined && 'cost' in d ? [{ f, data: d.cost(f) }] : [];
  });
}
