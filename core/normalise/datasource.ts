import type { DataSourceContent, DataSourceRecord } from '../datasource.ts';
import { isAbsent, optInt, optString } from './coerce.ts';
import { coded, describe, invalid } from './errors.ts';
import { Fields, isPlainObject } from './fields.ts';
import { DATASOURCE_TYPES, isDataSourceTypeName } from './datasource-types.ts';
import { optDescription } from './description.ts';
import { toJsonValue } from './json.ts';
import {
  APP_ID_MAX, APP_ID_MIN, DATASOURCE_ID_MAX, DATASOURCE_NAME_FORBIDDEN, DATASOURCE_NAME_MAX,
} from './limits.ts';
import { newId } from './ids.ts';

/**
 * A data-source body (spec 4.1.1: `datasource_name`, `datasource_type`, `app_id`, `content`, `description`; v1's
 * `name`/`type` are accepted too). The id is `id`, else the body's `datasource_id`, else a new one.
 * `datasource_type` is answered upper-case; `content` is kept as given (each connector checks its own fields).
 */
export function parseDataSourceBody(body: unknown, id?: string, path = ''): DataSourceRecord {
  if (!isPlainObject(body)) throw invalid(path || 'datasource', `must be an object, got ${describe(body)}`);
  const f = new Fields(body, path);

  const nameAt = f.get('datasource_name', 'name');
  const nameField = f.fieldOf(nameAt, 'datasource_name');
  const name = optString(nameAt?.value, nameField, { max: DATASOURCE_NAME_MAX, keepEmpty: true });
  if (name === undefined || name.length === 0) throw invalid(nameField, 'is required (1-255 characters)');
  if (name.trim() === '') throw invalid(nameField, 'must not be only spaces');
  const forbidden = DATASOURCE_NAME_FORBIDDEN.exec(name);
  if (forbidden) throw invalid(nameField, `must not contain ${forbidden[0]} (none of & < > " ' ( ) are allowed)`);

  const typeAt = f.get('datasource_type', 'type');
  const typeField = f.fieldOf(typeAt, 'datasource_type');
  const rawType = typeAt?.value;
  const type = typeof rawType === 'string' ? rawType.trim().toUpperCase() : undefined;
  if (type === undefined || !isDataSourceTypeName(type)) {
    throw coded(
      'FDI.3443',
      typeField,
      `${describe(rawType)} is not a data-source type: one of ${DATASOURCE_TYPES.join(', ')}, or a plugin's type (a letter, then 1-31 letters, digits or _)`,
    );
  }

  const contentAt = f.get('content');
  const contentField = f.fieldOf(contentAt, 'content');
  if (!isPlainObject(contentAt?.value)) {
    throw coded('FDI.3447', contentField, `must be an object, got ${describe(contentAt?.value)}`);
  }
  const content = toJsonValue(contentAt.value, contentField) as DataSourceContent;

  const idAt = f.get('datasource_id', 'id');
  const ownId = optString(idAt?.value, f.fieldOf(idAt, 'datasource_id'), { max: DATASOURCE_ID_MAX });
  const record: DataSourceRecord = {
    datasource_id: id ?? ownId ?? newId(),
    datasource_name: name,
    datasource_type: type,
    content,
  };
  const appAt = f.get('app_id');
  if (!isAbsent(appAt?.value)) {
    const appId = optString(appAt?.value, f.fieldOf(appAt, 'app_id'), { max: APP_ID_MAX });
    if (appId === undefined || appId.length < APP_ID_MIN) {
      throw invalid(f.fieldOf(appAt, 'app_id'), `must be ${APP_ID_MIN}-${APP_ID_MAX} characters`);
    }
    record.app_id = appId;
  }
  const description = optDescription(f, 'FDI.3442');
  if (description !== undefined) record.description = description;
  for (const key of ['create_time', 'update_time'] as const) {
    const at = f.get(key);
    const t = optInt(at?.value, f.fieldOf(at, key), { min: 0 });
    if (t !== undefined) record[key] = t;
  }
  return record;
}

