/**
 * How a summable step's local output travels through secure aggregation (issue 5): as a vector of
 * numbers of a length every party can compute, summed over the sites in the ring, and turned back
 * into one output of the step's own shape, as if one site had released the pooled rows.
 *
 * Some shapes depend on facts only the sites know before the step, e.g. the levels of a
 * categorical variable. Those travel in the clear at the keys phase as a {@link Layout}: named
 * lists of names (never counts), merged by union, so every site builds its vector on the same
 * axes. The plain step releases the same names per site, so secure mode reveals no more.
 */

/** Named lists of names (e.g. `levels:sex` → ["F", "M"]); merged by sorted union per key. */
export type Layout = Readonly<Record<string, readonly string[]>>;

/** The empty layout, for forms whose vector depends on params and input only. */
export const NO_LAYOUT: Layout = {};

/**
 * A step's local output as a fixed-length vector and back. `layout` is the merged layout of the
 * sites that take part ({@link mergeLayouts}); forms that need none ignore it.
 */
export interface SumForm<P = unknown> {
  /** Why this job cannot run securely (e.g. a per-site quantity that does not add up), or null. */
  unsupported?(params: P): string | null;
  /**
   * True when a `dp` job's noise is added at each site for that site's own guarantee (e.g.
   * DP-FedAvg's noisy updates): the sum of noisy vectors is then as private towards each site
   * as each vector, so the wrapper lets dp and secure aggregation run together.
   */
  readonly noisedAtSites?: boolean;
  /** The public shape facts of one site's output (names only). Default: none. */
  layout?(output: unknown, params: P, input: unknown): Layout;
  /**
   * Elements of the vector.
   * @throws Error when the layout is inconsistent (e.g. a variable of two kinds).
   */
  length(params: P, input: unknown, layout: Layout): number;
  /**
   * One site's output as a vector of `length` elements.
   * @throws Error when the output does not fit the step's schema or the layout.
   */
  toVector(output: unknown, params: P, input: unknown, layout: Layout): Float64Array;
  /**
   * The pooled output, of the shape the algorithm's aggregate accepts from one site. `sites` is
   * how many vectors were summed; counts are rounded to integers.
   */
  fromSum(sum: Float64Array, params: P, input: unknown, sites: number, layout: Layout): unknown;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The union of the sites' layouts, key by key, each list sorted and without duplicates. */
export function mergeLayouts(layouts: readonly Layout[]): Layout {
  const merged = new Map<string, Set<string>>();
  for (const l of layouts) {
    for (const [key, names] of Object.entries(l)) {
      const set = merged.get(key) ?? new Set<string>();
      for (const n of names) set.add(n);
      merged.set(key, set);
    }
  }
  return Object.fromEntries(
    [...merged.keys()]
      .sort(byCodeUnit)
      .map((k) => [k, [...(merged.get(k) ?? [])].sort(byCodeUnit)]),
  );
}

/** The names under `key` of a merged layout (empty when no site had any). */
export function layoutList(layout: Layout, key: string): readonly string[] {
  return Object.hasOwn(layout, key) ? (layout[key] ?? []) : [];
}

/*
 * Suppressed cells: a cell a site suppressed (null) has no value to add. Each nullable cell takes
 * two elements, [value or 0, 1 when suppressed]; the pooled cell is null when any site flagged
 * it, exactly as the plain aggregates treat a cell null at any site. The flag sum reveals how
 * many sites suppressed the cell, which the plain step reveals per site anyway.
 */

/** Appends numbers to a vector of known length. */
export class VectorWriter {
  private readonly v: Float64Array;
  private i = 0;

  constructor(length: number) {
    this.v = new Float64Array(length);
  }

  /** Appends one value. @throws Error past the declared length. */
  push(x: number): void {
    if (this.i >= this.v.length) throw new Error(`vector longer than ${this.v.length} elements`);
    this.v[this.i++] = x;
  }

  /** Appends a nullable cell as [value or 0, suppressed flag]. */
  pushCell(x: number | null): void {
    this.push(x ?? 0);
    this.push(x === null ? 1 : 0);
  }

  /** The vector. @throws Error when fewer values were written than declared. */
  done(): Float64Array {
    if (this.i !== this.v.length)
      throw new Error(`vector has ${this.i} of ${this.v.length} elements`);
    return this.v;
  }
}

/** Reads a summed vector in the order a {@link VectorWriter} wrote it. */
export class VectorReader {
  private i = 0;

  constructor(private readonly v: Float64Array) {}

  /** The next value. @throws Error past the end. */
  next(): number {
    const x = this.v[this.i++];
    if (x === undefined) throw new Error(`summed vector shorter than expected (${this.v.length})`);
    return x;
  }

  /** The next value as a count: sums of integers come back within the fixed-point error. */
  count(): number {
    return Math.max(0, Math.round(this.next()));
  }

  /** The next nullable cell: null when any site flagged it suppressed. */
  cell(): number | null {
    const value = this.count();
    return this.count() > 0 ? null : value;
  }

  /** @throws Error when values are left over (the forms disagree on the length). */
  done(): void {
    if (this.i !== this.v.length)
      throw new Error(`summed vector has ${this.v.length - this.i} extra elements`);
  }
}
