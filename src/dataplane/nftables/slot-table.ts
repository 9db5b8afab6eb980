// Stable slots for endpoints. A group chain picks "slot i of n", so which endpoint holds which slot is
// state: if removing one endpoint renumbered every other, a one-endpoint change would rewrite every
// element of the Service and move clients pinned by affinity or source hashing. Instead a removed
// endpoint's slot is taken by the endpoint in the last slot, and new endpoints are appended: one change
// touches at most two slots.

export class SlotTable {
  private readonly orders = new Map<string, string[]>();

  /** Endpoint ids ("ip . port") in slot order for `id`, keeping previous positions where possible. */
  assign(id: string, endpoints: readonly string[]): readonly string[] {
    const previous = this.orders.get(id);
    if (endpoints.length === 0) {
      this.orders.delete(id);
      return [];
    }
    if (!previous) {
      const fresh = [...endpoints];
      this.orders.set(id, fresh);
      return fresh;
    }
    const wanted = new Set(endpoints);
    const order = [...previous];
    for (let i = 0; i < order.length; ) {
      if (wanted.has(order[i]!)) {
        i++;
        continue;
      }
      const last = order.pop()!;
      if (i < order.length) order[i] = last;
    }
    const present = new Set(order);
    for (const e of endpoints) if (!present.has(e)) order.push(e);
    this.orders.set(id, order);
    return order;
  }

  forget(id: string): void {
    this.orders.delete(id);
  }

  clear(): void {
    this.orders.clear();
  }
}
