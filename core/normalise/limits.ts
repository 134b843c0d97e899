/** Input limits the normaliser enforces. The spec's own limits are named after the field they come from. */

export const TASK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$/;
export const TASK_TAG_PATTERN = /^[A-Za-z0-9_-]{4,64}$/;
export const DESCRIPTION_MAX = 1024;
export const DATASOURCE_ID_MAX = 64;
export const SQL_MAX = 20_000;
export const DATASOURCE_NAME_MAX = 255;
export const DATASOURCE_NAME_FORBIDDEN = /[&<>"'()]/;
export const APP_ID_MIN = 4;
export const APP_ID_MAX = 255;
/** `batch_num` (10-7): rows when the file is parsed, files when it is passed through. */
export const BATCH_NUM_MAX_PARSED = 1_500_000;
export const BATCH_NUM_MAX_PASS_THROUGH = 20_000;

// Beyond the spec: bounds that keep a malformed task from exhausting memory or the log.
/** Table, schema, column, topic, key and charset names. */
export const NAME_MAX = 255;
/** Paths, file names, JSON paths, formats. */
export const PATH_MAX = 4096;
/** Where values, constant mapping values, message contents. */
export const TEXT_MAX = 20_000;
/** Columns, metadata fields, mapping rows. */
export const LIST_MAX = 10_000;
export const WHERE_MAX = 1_000;
/** Nesting depth of any JSON accepted (task_detail, content). */
export const JSON_DEPTH_MAX = 64;
