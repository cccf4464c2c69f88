// Long id lists go to the database in chunks: an `IN (…)` list has limits (SQLite's variable limit,
// PostgreSQL's 65,535 parameters), and chunks keep each statement small.
export const CHUNK = 500;

export function chunksOf<T>(items: readonly T[], size = CHUNK): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
