import { db, ready, sql } from '../../lib/db';

// A report reads one snapshot: its statements share a transaction.
export default async function handler(req, res) {
  await ready();
  const seconds = Number(req.query.seconds ?? 1);
  const n = await db.transaction(async (tx) => {
    const { rows } = await tx.execute(sql`SELECT count(*) AS n, pg_sleep(${seconds}) FROM items`);
    return Number(rows[0].n);
  });
  console.log(`report built: ${n} items`);
  res.status(200).json({ n });
}
