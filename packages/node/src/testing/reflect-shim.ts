/*
 * @peculiar/x509 2 loads tsyringe, which refuses to load without a Reflect metadata polyfill
 * (normally the `reflect-metadata` package, not installed here). x509 only needs these three
 * functions for its internal dependency container, so the test defines them before importing it.
 */
type Meta = Map<unknown, unknown>;
const store = new WeakMap<object, Map<string | symbol | undefined, Meta>>();
const R = Reflect as unknown as Record<string, unknown>;

function metaOf(
  target: object,
  key: string | symbol | undefined,
  create: boolean,
): Meta | undefined {
  let byKey = store.get(target);
  if (byKey === undefined && create) {
    byKey = new Map<string | symbol | undefined, Meta>();
    store.set(target, byKey);
  }
  let m = byKey?.get(key);
  if (m === undefined && create && byKey !== undefined) {
    m = new Map<unknown, unknown>();
    byKey.set(key, m);
  }
  return m;
}

if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (k: unknown, v: unknown, target: object, key?: string | symbol) => {
    metaOf(target, key, true)?.set(k, v);
  };
  R.getOwnMetadata = (k: unknown, target: object, key?: string | symbol) =>
    metaOf(target, key, false)?.get(k);
  R.getMetadata = (k: unknown, target: object, key?: string | symbol): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const m = metaOf(t, key, false);
      if (m?.has(k) === true) return m.get(k);
    }
    return undefined;
  };
}

export {};
