/** Shared by the API suites: data-source contents of the SQL test services and a task_detail in the spec's shape. */
import { sqlContent } from '../support/datasources.ts';
import { testServices } from '../support/services.ts';

export const services = testServices();

/** `content` of MYSQL / POSTGRESQL data sources pointing at the test services. */
export const mysqlContent = { ...sqlContent(services.mysqlUrl), mode: 'default' };
export const pgContent = { ...sqlContent(services.pgUrl), mode: 'default' };

const col = (name: string, type: string, length: string, nullable: '0' | '1', unique: '0' | '1') => ({
  field_name: name,
  field_type: type,
  field_length: length,
  null_able: nullable,
  unique,
});

/** task_detail in the shape of the spec's examples (task-detail.md §4.2): MySQL table → PostgreSQL table. */
export function copyDetail(sourceTable: string, targetTable: string, extra: Record<string, unknown> = {}, source: Record<string, unknown> = {}) {
  const columns = [col('id', 'INT', '11', '0', '1'), col('name', 'VARCHAR', '64', '1', '0'), col('amount', 'DECIMAL', '10', '1', '0')];
  return {
    sourceSelectedDatasource: {
      isAddSql: false,
      querySql: '',
      sourceTable,
      sourceSelectedColumnList: columns,
      orderColumn: 'id',
      orderType: 'ASC',
      where: [],
      whereOptions: [],
      need_inc_migration: false,
      ...source,
    },
    targetSelectedDatasource: {
      targetNeedCreateTable: false,
      isSupportClearTab: false,
      targetTable,
      batchNumber: '',
      targetSelectedColumnList: [col('id', 'int4', '10', '0', '1'), col('name', 'varchar', '64', '1', '0'), col('amount', 'numeric', '10', '1', '0')],
      supportPartUpdate: false,
    },
    mappingTable: [
      { sourceColumn: 'id', sourceColumnType: 'INT', sourceColumnLength: '11', targetColumn: 'id', targetColumnType: 'int4', targetColumnLength: '10', isAddMapping: false },
      { sourceColumn: 'name', sourceColumnType: 'VARCHAR', sourceColumnLength: '64', targetColumn: 'name', targetColumnType: 'varchar', targetColumnLength: '64', isAddMapping: false },
      { sourceColumn: 'amount', sourceColumnType: 'DECIMAL', sourceColumnLength: '10', targetColumn: 'amount', targetColumnType: 'numeric', targetColumnLength: '10', isAddMapping: false },
    ],
    mappingTableProperties: [
      { sourceNullable: '0', sourceUnique: '1', targetNullable: '0', targetUnique: '1' },
      { sourceNullable: '1', sourceUnique: '0', targetNullable: '1', targetUnique: '0' },
      { sourceNullable: '1', sourceUnique: '0', targetNullable: '1', targetUnique: '0' },
    ],
    mappingSourceTextOrNot: [{ flag: false }, { flag: false }, { flag: false }],
    mappingRequired: true,
    ...extra,
  };
}
