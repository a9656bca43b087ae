/** The golden records with these ids, in this order; a missing id is a broken fixture, not a skip. */
export function lookupById<T extends { id: string }>(items: readonly T[], ids: readonly string[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return ids.map((id) => {
    const item = byId.get(id);
    if (!item) throw new Error(`golden id ${id} not found`);
    return item;
  });
}
