const kept = [];
// Keeps everything it allocates: the heap limit (--max-old-space-size) ends the process.
export default function handler() {
  for (;;) kept.push(new Array(100_000).fill({ at: Date.now() }));
}
