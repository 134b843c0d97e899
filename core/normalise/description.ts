import type { FdiErrorCode } from '../error-codes.ts';
import { optString } from './coerce.ts';
import { coded } from './errors.ts';
import type { Fields } from './fields.ts';
import { DESCRIPTION_MAX } from './limits.ts';

/**
 * `description` of a task or data source: any string up to DESCRIPTION_MAX characters, or absent. A longer one is
 * `tooLong` (each API documents its own code for it) naming the field.
 */
export function optDescription(f: Fields, tooLong: FdiErrorCode): string | undefined {
  const at = f.get('description');
  const description = optString(at?.value, f.fieldOf(at, 'description'), { max: Number.MAX_SAFE_INTEGER });
  if (description !== undefined && description.length > DESCRIPTION_MAX) {
    throw coded(tooLong, f.fieldOf(at, 'description'), `has ${description.length} characters`);
  }
  return description;
}
