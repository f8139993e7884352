// A fire-and-forget call whose promise nobody awaits.
export default function handler(req, res) {
  void (async () => {
    await new Promise((r) => setTimeout(r, 50));
    throw new Error('webhook delivery failed: 503 Service Unavailable');
  })();
  res.status(200).json({ queued: true });
}
