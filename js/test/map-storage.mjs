// A minimal SharedAsyncStorage over a Map, for the tests of the shared-storage path that need
// no server. `asked` counts getOrCompute calls.
export class MapStorage {
  values = new Map();
  asked = 0;
  async getOrCompute(key, compute) {
    this.asked++;
    if (this.values.has(key)) return this.values.get(key);
    const value = await compute();
    this.values.set(key, value);
    return value;
  }
  async delete(key) {
    return this.values.delete(key);
  }
  async clear() {
    this.values.clear();
  }
  stats() {
    return { hits: 0, misses: 0, waits: 0, errors: 0 };
  }
}
