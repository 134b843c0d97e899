import type { ColumnSpec, MetaField } from '../task-spec.ts';
import { listItems, optBool, optInt, optString, reqObject, reqString } from './coerce.ts';
import { invalid } from './errors.ts';
import { foldKey, isPlainObject } from './fields.ts';
import { PATH_MAX } from './limits.ts';

/**
 * Column (spec 10-11): `field_name`/`fieldName`, `field_type`, `field_length`, `null_able`/`nullable` ("0" = NOT
 * NULL), `unique` ("1" = part of the key, as every spec example uses it although table 10-11 says the opposite),
 * `primary`.
 */
export function parseColumns(value: unknown, field: string): ColumnSpec[] {
  const seen = new Set<string>();
  return listItems(value, field).map((item) => {
    const f = reqObject(item.value, item.field);
    const nameAt = f.get('field_name', 'name', 'column_name');
    const name = reqString(nameAt?.value, f.fieldOf(nameAt, 'field_name'));
    if (seen.has(name)) throw invalid(f.fieldOf(nameAt, 'field_name'), `column "${name}" is listed twice`);
    seen.add(name);
    const column: ColumnSpec = { name };
    const type = f.get('field_type', 'type');
    const t = optString(type?.value, f.fieldOf(type, 'field_type'));
    if (t !== undefined) column.type = t;
    const length = f.get('field_length', 'length');
    const l = optString(length?.value, f.fieldOf(length, 'field_length'));
    if (l !== undefined) column.length = l;
    const nullable = f.get('null_able', 'nullable');
    const n = optBool(nullable?.value, f.fieldOf(nullable, 'null_able'));
    if (n !== undefined) column.nullable = n;
    const unique = f.get('unique');
    const u = optBool(unique?.value, f.fieldOf(unique, 'unique'));
    if (u !== undefined) column.unique = u;
    const primary = f.get('primary', 'primary_key');
    const p = optBool(primary?.value, f.fieldOf(primary, 'primary'));
    if (p !== undefined) column.primary = p;
    return column;
  });
}

/**
 * MetaData (10-9): `{ dataSource: [Datasource…], mode, count }`, a list of such objects (`extend_meta_data`), or a
 * plain list of Datasource fields (10-10: `index`, `name`, `type`, `format`, `path`). A missing index is the
 * field's position.
 */
export function parseMetaFields(value: unknown, field: string): MetaField[] {
  const out: MetaField[] = [];
  for (const item of listItems(value, field)) {
    if (isPlainObject(item.value) && Object.keys(item.value).some((k) => foldKey(k) === 'datasource')) {
      const group = reqObject(item.value, item.field);
      const ds = group.get('dataSource');
      for (const entry of listItems(ds?.value, group.fieldOf(ds, 'dataSource'))) {
        out.push(parseMetaField(entry.value, entry.field, out.length));
      }
    } else {
      out.push(parseMetaField(item.value, item.field, out.length));
    }
  }
  const names = new Set<string>();
  for (const m of out) {
    if (names.has(m.name)) throw invalid(field, `metadata field "${m.name}" is defined twice`);
    names.add(m.name);
  }
  return out;
}

function parseMetaField(item: unknown, at: string, position: number): MetaField {
  const f = reqObject(item, at);
  const nameAt = f.get('name', 'field_name');
  const name = reqString(nameAt?.value, f.fieldOf(nameAt, 'name'));
  const indexAt = f.get('index');
  const index = optInt(indexAt?.value, f.fieldOf(indexAt, 'index'), { min: 0 }) ?? position;
  const meta: MetaField = { index, name };
  const type = f.get('type', 'field_type');
  const t = optString(type?.value, f.fieldOf(type, 'type'));
  if (t !== undefined) meta.type = t;
  const format = f.get('format');
  const fm = optString(format?.value, f.fieldOf(format, 'format'), { max: PATH_MAX });
  if (fm !== undefined) meta.format = fm;
  const path = f.get('path');
  const pth = optString(path?.value, f.fieldOf(path, 'path'), { max: PATH_MAX });
  if (pth !== undefined) meta.path = pth;
  return meta;
}
