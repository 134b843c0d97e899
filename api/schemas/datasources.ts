import { DATASOURCE_NAME_MAX, DESCRIPTION_MAX } from '../../core/normalise/limits.ts';
import { datasourceParams, instanceParams } from './common.ts';
import { columnInfo, datasourceRsp, pages, responses } from './responses.ts';

/** The create / update / test-connect body (spec datasources.md §1.1). */
export const datasourceBody = {
  type: 'object',
  required: ['datasource_name', 'datasource_type', 'content'],
  properties: {
    datasource_name: {
      type: 'string',
      minLength: 1,
      maxLength: DATASOURCE_NAME_MAX,
      pattern: '^(?=.*\\S)[^&<>"\'()]+$',
      description: '1–255 characters, not all spaces, without & < > " \' ( ).',
    },
    datasource_type: { type: 'string', minLength: 1, maxLength: 32, 'x-fdi-code': 'FDI.3443', description: 'MYSQL, POSTGRESQL, KAFKA, FTP (sftp) …' },
    app_id: { type: 'string', maxLength: 255, 'x-fdi-code': 'FDI.3435', description: 'Optional here: this worker has no integration apps.' },
    content: { type: 'object', 'x-fdi-code': 'FDI.3447', description: 'Type-specific connection details.' },
    description: { type: 'string', maxLength: DESCRIPTION_MAX, 'x-fdi-code': 'FDI.3442' },
  },
} as const;

export const createDatasourceSchema = { tags: ['datasources'], summary: 'Create a data source (4.1.1)', params: instanceParams, body: datasourceBody, response: responses(201, 'The data source', datasourceRsp) } as const;
export const updateDatasourceSchema = { tags: ['datasources'], summary: 'Replace a data source (4.1.4)', params: datasourceParams, body: datasourceBody, response: responses(200, 'The data source', datasourceRsp) } as const;
export const getDatasourceSchema = { tags: ['datasources'], summary: 'Get a data source (4.1.3)', params: datasourceParams, response: responses(200, 'The data source', datasourceRsp) } as const;
export const deleteDatasourceSchema = { tags: ['datasources'], summary: 'Delete a data source (4.1.5)', params: datasourceParams, response: responses(204, 'Deleted') } as const;
export const testDatasourceSchema = { tags: ['datasources'], summary: 'Test connectivity of a data-source definition (4.1.8)', params: instanceParams, body: datasourceBody, response: responses(200, 'Connected', { type: 'object', properties: { result: { type: 'boolean' } } }) } as const;
export const testStoredDatasourceSchema = {
  tags: ['datasources'],
  summary: 'Test connectivity (4.1.8); a masked or missing secret is taken from the stored data source',
  params: datasourceParams,
  body: datasourceBody,
  response: responses(200, 'Connected', { type: 'object', properties: { result: { type: 'boolean' } } }),
} as const;

export const listDatasourcesSchema = {
  tags: ['datasources'],
  summary: 'List data sources (4.1.2)',
  params: instanceParams,
  querystring: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 0, maximum: 999999, default: 10, 'x-fdi-code': 'FDI.3048', description: 'Page size; above 999 only 999.' },
      // "偏移量小于0时，自动转换为0" (4.1.2): a negative offset is 0, which is page 1.
      offset: { type: 'integer', maximum: 999999, default: 1, 'x-fdi-code': 'FDI.3048', description: 'Page number from 1 (0 and negative values behave like 1).' },
      datasource_type: { type: 'string', maxLength: 64 },
      sort_field: { type: 'string', enum: ['CREATED_DATE', 'created_date'], 'x-fdi-code': 'FDI.3049' },
      sort_type: { type: 'string', enum: ['ASC', 'DESC', 'asc', 'desc', ''], 'x-fdi-code': 'FDI.3049' },
      name: { type: 'string', maxLength: 64, description: 'Fuzzy (substring) match on datasource_name.' },
      app_id: { type: 'string', maxLength: 64 },
    },
  },
  response: responses(200, 'A page of data sources', pages.datasources),
} as const;

const directionType = { type: 'string', enum: ['SOURCE', 'TARGET', 'source', 'target'], description: 'Accepted for compatibility; both list the same.' } as const;

export const listTablesSchema = {
  tags: ['datasources'],
  summary: 'List the tables of a data source (4.1.6)',
  params: datasourceParams,
  querystring: {
    type: 'object',
    properties: {
      direction_type: directionType,
      filter: { type: 'string', maxLength: 64, description: 'Fuzzy (substring, case-insensitive) filter on the table name.' },
      db_name: { type: 'string', maxLength: 64 },
      db_schema: { type: 'string', maxLength: 64 },
    },
  },
  response: responses(200, 'Table names', { type: 'object', properties: { tables: { type: 'array', items: { type: 'string' } } } }),
} as const;

export const listColumnsSchema = {
  tags: ['datasources'],
  summary: 'List the columns of one table (4.1.7)',
  params: datasourceParams,
  querystring: {
    type: 'object',
    required: ['table_name'],
    properties: { direction_type: directionType, table_name: { type: 'string', minLength: 1, maxLength: 256 }, db_name: { type: 'string', maxLength: 64 } },
  },
  response: responses(200, 'Columns in the FDI shape', { type: 'object', properties: { columns: { type: 'array', items: columnInfo } } }),
} as const;

export const listTableColumnsSchema = {
  tags: ['datasources'],
  summary: 'List the columns of one table (path form)',
  params: {
    type: 'object',
    required: [...datasourceParams.required, 'table'],
    properties: { ...datasourceParams.properties, table: { type: 'string', minLength: 1, maxLength: 256 } },
  },
  response: responses(200, 'Columns in the FDI shape', { type: 'object', properties: { columns: { type: 'array', items: columnInfo } } }),
} as const;
