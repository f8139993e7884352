// The garbage collector's growth, set for a streaming pass. By default V8 lets the old space grow
// to several times what was live after the last full collection before it collects again. The
// timeline's live heap is small and flat, but what it promotes and later drops (kept events
// thinned away) piles up as old-space garbage first: peak RSS grew with the input, 158 MB on a
// 100 MB log and 185 MB on a 2 GB one. A growth factor of 1.5 collects sooner; each full
// collection only marks the small live heap (docs/PERFORMANCE.md, "Memory", has the figures).
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/**
 * True when node was started with its own heap growth (`node --heap-growing-percent=N`): the
 * user's choice wins. (NODE_OPTIONS cannot carry this flag: node refuses to start with it there.)
 */
export function heapGrowthGiven(execArgv: readonly string[]): boolean {
  return execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a));
}

/** Sets V8's heap growth for this process, unless the user set it. */
export function tuneHeapForStreaming(): void {
  if (!heapGrowthGiven(process.execArgv)) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
