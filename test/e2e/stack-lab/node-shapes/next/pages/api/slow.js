export default async function handler(req, res) {
  const ms = Number(req.query.ms ?? 100);
  await new Promise((r) => setTimeout(r, ms));
  res.status(200).json({ waited: ms });
}
