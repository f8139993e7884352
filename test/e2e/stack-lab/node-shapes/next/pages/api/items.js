import { db, ready, sql } from '../../lib/db';

export default async function handler(req, res) {
  await ready();
  const { rows } = await db.execute(sql`SELECT id, name FROM items ORDER BY id LIMIT 5`);
  res.status(200).json(rows);
}
