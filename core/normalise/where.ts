import { WHERE_OPS, type WhereCondition, type WhereOp } from '../task-spec.ts';
import { listItems, optEnum, optString, reqObject, reqString } from './coerce.ts';
import { invalid } from './errors.ts';
import { TEXT_MAX, WHERE_MAX } from './limits.ts';

const AND_OR = ['AND', 'OR'] as const;
const NEEDS_VALUE: ReadonlySet<WhereOp> = new Set<WhereOp>([
  'equal', 'notEqual', 'less', 'lessEqual', 'more', 'moreEqual', 'inList', 'notInList',
]);
const NEEDS_RANGE: ReadonlySet<WhereOp> = new Set<WhereOp>(['between', 'notBetween']);

/**
 * Where (spec 10-23): `andor` (default AND), `field_name`, `field_type`, `op` (one of the 12 filter types the spec
 * lists for whereOptions, any case), `value`, `minValue`/`maxValue` (between, notBetween).
 */
export function parseWhere(value: unknown, field: string): WhereCondition[] {
  return listItems(value, field, { max: WHERE_MAX }).map((item) => {
    const f = reqObject(item.value, item.field);
    const andOrAt = f.get('andor');
    const opAt = f.get('op', 'operator');
    const fieldAt = f.get('field_name', 'field');
    const op = optEnum(opAt?.value, f.fieldOf(opAt, 'op'), WHERE_OPS);
    if (op === undefined) throw invalid(f.fieldOf(opAt, 'op'), `is required, one of ${WHERE_OPS.join(', ')}`);
    const condition: WhereCondition = {
      andOr: optEnum(andOrAt?.value, f.fieldOf(andOrAt, 'andor'), AND_OR) ?? 'AND',
      field: reqString(fieldAt?.value, f.fieldOf(fieldAt, 'field_name')),
      op,
    };
    const typeAt = f.get('field_type');
    const type = optString(typeAt?.value, f.fieldOf(typeAt, 'field_type'));
    if (type !== undefined) condition.fieldType = type;
    const valueAt = f.get('value');
    const minAt = f.get('minValue');
    const maxAt = f.get('maxValue');
    const v = optString(valueAt?.value, f.fieldOf(valueAt, 'value'), { max: TEXT_MAX, keepEmpty: true });
    const min = optString(minAt?.value, f.fieldOf(minAt, 'minValue'), { max: TEXT_MAX });
    const max = optString(maxAt?.value, f.fieldOf(maxAt, 'maxValue'), { max: TEXT_MAX });
    if (NEEDS_VALUE.has(op) && v === undefined) throw invalid(f.fieldOf(valueAt, 'value'), `is required for op ${op}`);
    if (NEEDS_RANGE.has(op)) {
      if (min === undefined) throw invalid(f.fieldOf(minAt, 'minValue'), `is required for op ${op}`);
      if (max === undefined) throw invalid(f.fieldOf(maxAt, 'maxValue'), `is required for op ${op}`);
    }
    if (v !== undefined) condition.value = v;
    if (min !== undefined) condition.minValue = min;
    if (max !== undefined) condition.maxValue = max;
    return condition;
  });
}
