import type { JsonValue } from '../values.ts';
import { setOwn, toJsonValue } from './json.ts';

export type PlainObject = { [key: string]: unknown };

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** camelCase and snake_case of one name fold to the same key: `sourceSelectedDatasource` = `source_selected_datasource`. */
export function foldKey(key: string): string {
  return key.replace(/[_\s-]/g, '').toLowerCase();
}

export interface Found {
  /** The key as the input spelled it (for messages). */
  key: string;
  /** The path of that key, e.g. `task_detail.sourceSelectedDatasource.orderType`. */
  field: string;
  value: unknown;
}

/**
 * Read access to one JSON object that accepts every spelling of a key and remembers which keys were used, so the
 * rest can be kept as `extra`. `null` counts as absent.
 */
export class Fields {
  private readonly byFold = new Map<string, string[]>();
  private readonly used = new Set<string>();

  constructor(
    readonly object: PlainObject,
    readonly path: string,
  ) {
    for (const key of Object.keys(object)) {
      const folded = foldKey(key);
      const keys = this.byFold.get(folded);
      if (keys) keys.push(key);
      else this.byFold.set(folded, [key]);
    }
  }

  /** The path of a key in this object, for messages. */
  field(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** The first of `names` (any spelling) that is present and not null; every spelling of every name is marked used. */
  get(...names: string[]): Found | undefined {
    return this.find(names, true);
  }

  /** As `get`, but the keys stay unused (they end in `extra`). */
  peek(...names: string[]): Found | undefined {
    return this.find(names, false);
  }

  private find(names: string[], use: boolean): Found | undefined {
    let found: Found | undefined;
    for (const name of names) {
      for (const key of this.byFold.get(foldKey(name)) ?? []) {
        if (use) this.used.add(key);
        const value = this.object[key];
        if (found === undefined && value !== undefined && value !== null) {
          found = { key, field: this.field(key), value };
        }
      }
    }
    return found;
  }

  /** The field name to use in a message about `names` when none was given. */
  fieldOf(found: Found | undefined, name: string): string {
    return found ? found.field : this.field(name);
  }

  /** The keys no `get` asked for, as JSON. */
  rest(): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(this.object)) {
      if (this.used.has(key) || value === undefined) continue;
      setOwn(out, key, toJsonValue(value, this.field(key)));
    }
    return out;
  }
}
