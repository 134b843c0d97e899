import type { ColumnMapping, MappingSpec } from '../task-spec.ts';
import { asList, bool, listItems, optBool, optObject, optString, reqObject } from './coerce.ts';
import { coded, describe } from './errors.ts';
import { type Fields, isPlainObject } from './fields.ts';
import { NAME_MAX, TEXT_MAX } from './limits.ts';

/**
 * The column mapping: `mappingTable` (MappingTable 10-3, with the index-aligned `mappingTableProperties` 10-6 and
 * `mappingSourceTextOrNot` 10-8 flags that make a row's source a constant) when it has rows, otherwise the
 * `mappingInput.dataSource` pairs (10-13, sourceKey → targetKey). `mappingRequired: false` is pass-through and
 * may have no rows; otherwise an empty or invalid mapping is FDI.3145.
 */
export function parseMapping(f: Fields): MappingSpec {
  const requiredAt = f.get('mappingRequired');
  const required = bool(requiredAt?.value, f.fieldOf(requiredAt, 'mappingRequired'), true, { code: 'FDI.3145' });
  const tableAt = f.get('mappingTable');
  const tableField = f.fieldOf(tableAt, 'mappingTable');
  const propsAt = f.get('mappingTableProperties');
  const flagsAt = f.get('mappingSourceTextOrNot');
  const inputAt = f.get('mappingInput');

  const rows = asList(tableAt?.value, tableField, { code: 'FDI.3145' });
  const props = asList(propsAt?.value, f.fieldOf(propsAt, 'mappingTableProperties'), { code: 'FDI.3145' });
  const flags = asList(flagsAt?.value, f.fieldOf(flagsAt, 'mappingSourceTextOrNot'), { code: 'FDI.3145' });
  let columns: ColumnMapping[];
  let columnsField: string;
  if (rows.length > 0) {
    columns = rows.map((row, i) =>
      tableRow(row, props[i], flags[i], {
        row: `${tableField}[${i}]`,
        props: `${f.fieldOf(propsAt, 'mappingTableProperties')}[${i}]`,
        flag: `${f.fieldOf(flagsAt, 'mappingSourceTextOrNot')}[${i}]`,
      }),
    );
    columnsField = tableField;
  } else {
    const input = mappingInputPairs(inputAt?.value, f.fieldOf(inputAt, 'mappingInput'));
    columns = input.columns;
    columnsField = input.field;
  }
  if (required && columns.length === 0) {
    throw coded('FDI.3145', tableField, 'mappingRequired is true but neither mappingTable nor mappingInput.dataSource has a row');
  }
  const targets = new Set<string>();
  for (const c of columns) {
    if (targets.has(c.target)) throw coded('FDI.3145', columnsField, `target column "${c.target}" is mapped twice`);
    targets.add(c.target);
  }
  return { required, columns };
}

interface RowFields {
  row: string;
  props: string;
  flag: string;
}

function tableRow(row: unknown, props: unknown, flag: unknown, at: RowFields): ColumnMapping {
  const r = reqObject(row, at.row, { code: 'FDI.3145' });
  const text = (name: string, max = NAME_MAX): string | undefined => {
    const v = r.get(name);
    return optString(v?.value, r.fieldOf(v, name), { max, code: 'FDI.3145' });
  };
  const constant = flagOf(flag, at.flag);
  const sourceAt = r.get('sourceColumn');
  const source = optString(sourceAt?.value, r.fieldOf(sourceAt, 'sourceColumn'), {
    max: constant ? TEXT_MAX : NAME_MAX,
    keepEmpty: constant,
    code: 'FDI.3145',
  });
  if (source === undefined) throw coded('FDI.3145', r.fieldOf(sourceAt, 'sourceColumn'), 'is required');
  const target = text('targetColumn');
  if (target === undefined) throw coded('FDI.3145', r.field('targetColumn'), 'is required');
  const mapping: ColumnMapping = { source, target, constant };
  const set = <K extends keyof ColumnMapping>(key: K, value: ColumnMapping[K] | undefined): void => {
    if (value !== undefined) mapping[key] = value;
  };
  set('sourceType', text('sourceColumnType'));
  set('sourceLength', text('sourceColumnLength'));
  set('targetType', text('targetColumnType'));
  set('targetLength', text('targetColumnLength'));
  const p = props === undefined || props === null ? undefined : reqObject(props, at.props, { code: 'FDI.3145' });
  const nullableAt = p?.get('targetNullable') ?? r.get('targetNullable');
  set('targetNullable', optBool(nullableAt?.value, nullableAt?.field ?? `${at.props}.targetNullable`, { code: 'FDI.3145' }));
  const uniqueAt = p?.get('targetUnique') ?? r.get('targetUnique');
  set('targetUnique', optBool(uniqueAt?.value, uniqueAt?.field ?? `${at.props}.targetUnique`, { code: 'FDI.3145' }));
  return mapping;
}

/** Flag (10-8): `{flag: true}` or a bare boolean; true = the source is a literal text value. */
function flagOf(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (isPlainObject(value)) {
    const f = reqObject(value, field, { code: 'FDI.3145' });
    const at = f.get('flag');
    return bool(at?.value, f.fieldOf(at, 'flag'), false, { code: 'FDI.3145' });
  }
  const b = optBool(value, field, { code: 'FDI.3145' });
  if (b === undefined) throw coded('FDI.3145', field, `must be {"flag": true|false}, got ${describe(value)}`);
  return b;
}

/** MappingInput (10-12): `{mode, dataSource: [{sourceKey, targetKey}]}`, or a list of such objects. */
function mappingInputPairs(value: unknown, field: string): { columns: ColumnMapping[]; field: string } {
  const columns: ColumnMapping[] = [];
  let pairsField = field;
  for (const item of listItems(value, field, { code: 'FDI.3145' })) {
    const group = optObject(item.value, item.field, { code: 'FDI.3145' });
    if (!group) continue;
    const ds = group.get('dataSource');
    pairsField = group.fieldOf(ds, 'dataSource');
    for (const pairItem of listItems(ds?.value, pairsField, { code: 'FDI.3145' })) {
      const p = reqObject(pairItem.value, pairItem.field, { code: 'FDI.3145' });
      const sourceAt = p.get('sourceKey', 'source');
      const targetAt = p.get('targetKey', 'target');
      const source = optString(sourceAt?.value, p.fieldOf(sourceAt, 'sourceKey'), { max: TEXT_MAX, code: 'FDI.3145' });
      if (source === undefined) throw coded('FDI.3145', p.fieldOf(sourceAt, 'sourceKey'), 'is required');
      const target = optString(targetAt?.value, p.fieldOf(targetAt, 'targetKey'), { code: 'FDI.3145' });
      if (target === undefined) throw coded('FDI.3145', p.fieldOf(targetAt, 'targetKey'), 'is required');
      columns.push({ source, target, constant: false });
    }
  }
  return { columns, field: pairsField };
}
