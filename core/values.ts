/** The value types that flow through a pipeline, from reader to writer. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One field of a record. Readers produce the most faithful JS value they can: exact decimals and 64-bit integers
 * as strings or bigint (never a lossy double), timestamps as Date, binary as Uint8Array, JSON columns as objects.
 */
export type FieldValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A record: column (or metadata path) name → value. */
export type Row = Record<string, FieldValue>;
