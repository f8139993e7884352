// The reports name no detector: what they need to know of one (its Summary label and figures,
// where its findings are drawn, what its sparkline counts) they ask its `meta.report`.
import type { Finding } from '../model.js';
import type { ReportMeta } from '../detectors/detector.js';
import { detectorById } from '../detectors/registry.js';

/** The `meta.report` of the detector that wrote `f` (empty for an unknown detector). */
export function reportMetaOf(f: Pick<Finding<unknown>, 'detector'>): ReportMeta<Record<string, unknown>> {
  return detectorById(f.detector)?.meta.report ?? {};
}
