/**
 * The in-memory form of a dataset that local steps compute on: columns of typed arrays.
 * Missing values are NaN in numeric columns and -1 in categorical codes.
 */
export type Column =
  | { readonly kind: 'number'; readonly values: Float64Array }
  /** Calendar dates as days since 1970-01-01 (UTC). */
  | { readonly kind: 'date'; readonly values: Float64Array }
  | {
      readonly kind: 'categorical';
      readonly levels: readonly string[];
      readonly codes: Int32Array;
    };

export type ColumnKind = Column['kind'];

export interface Table {
  readonly rows: number;
  readonly columns: Readonly<Record<string, Column>>;
}

/** A variable's description, as published in the catalogue (never values or small counts). */
export interface VariableInfo {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly levels?: readonly string[];
}
