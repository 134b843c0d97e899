/**
 * An example third-party connector: named in-memory tables that upper-case every text value written to them.
 * It imports only the connector SDK, as a plugin published on its own would (`fdi-worker/connectors/sdk`).
 *
 *   data source: { "datasource_type": "UPMEM", "content": { "store": "people", "max_length": 20 } }
 *   FDI_PLUGINS=./examples/plugins/uppercase-memory/index.ts fdi run task.json
 */
import {
  OptionsError,
  defineConnector,
  rowBytes,
  type Checkpoint,
  type DataSourceContent,
  type Reader,
  type RejectedRecord,
  type Row,
  type SourceBatch,
  type Writer,
} from '../../../connectors/sdk/index.ts';

export interface UpmemOptions {
  store: string;
  /** Text values longer than this (after upper-casing) are refused: the engine routes them to dirty data. */
  maxLength?: number;
}

const stores = new Map<string, Row[]>();

/** The rows of a store (created empty on first use); tests and other code can seed or inspect it. */
export function memoryStore(name: string): Row[] {
  let rows = stores.get(name);
  if (!rows) {
    rows = [];
    stores.set(name, rows);
  }
  return rows;
}

function parseOptions(content: DataSourceContent): UpmemOptions {
  const store = content['store'];
  if (typeof store !== 'string' || store.trim() === '') throw new OptionsError('store', 'is required (the name of the in-memory table)');
  const max = content['max_length'];
  if (max === undefined || max === null) return { store };
  const n = typeof max === 'string' ? Number(max) : max;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new OptionsError('max_length', 'must be a positive integer');
  return { store, maxLength: n };
}

/** The checkpoint is the index of the next row to read, so a second run reads only rows added since. */
function startOf(cp: Checkpoint | null): number {
  return typeof cp === 'object' && cp !== null && !Array.isArray(cp) && typeof cp['next'] === 'number' ? cp['next'] : 0;
}

export const upmem = defineConnector<UpmemOptions>({
  type: 'upmem',
  serves: { source: ['TIMING'], target: ['TIMING', 'REALTIME'] },
  readerStage: 'upmemreader',
  writerStage: 'upmemwriter',
  parseOptions,
  async test() {},
  async listTables() {
    return [...stores.keys()];
  },
  reader(ctx): Reader {
    const rows = memoryStore(ctx.datasource.options.store);
    const size = ctx.task.runtime.batchSize;
    let end = 0;
    return {
      async open() {
        end = rows.length; // the window: what is there when the run starts
      },
      async *batches(): AsyncGenerator<SourceBatch> {
        for (let i = startOf(ctx.checkpoint); i < end && !ctx.signal.aborted; i += size) {
          const records = rows.slice(i, Math.min(i + size, end)).map((r) => ({ ...r }));
          yield { records, bytes: records.reduce((n, r) => n + rowBytes(r), 0), checkpoint: { next: i + records.length } };
        }
      },
      finalCheckpoint: () => ({ next: Math.max(end, startOf(ctx.checkpoint)) }),
      async close() {},
    };
  },
  writer(ctx): Writer {
    const { store, maxLength } = ctx.datasource.options;
    let pending: Row[] = [];
    return {
      async open() {
        if (ctx.task.target.isSupportClearTab) memoryStore(store).length = 0;
      },
      async write(records) {
        const rejected: RejectedRecord[] = [];
        records.forEach((record, index) => {
          const out: Row = {};
          for (const [key, value] of Object.entries(record)) {
            const v = typeof value === 'string' ? value.toUpperCase() : value;
            if (maxLength !== undefined && typeof v === 'string' && v.length > maxLength) {
              rejected.push({ index, column: key, reason: `longer than max_length ${maxLength}` });
              return;
            }
            out[key] = v;
          }
          pending.push(out);
        });
        return { rejected };
      },
      async flush() {
        memoryStore(store).push(...pending);
        pending = [];
      },
      async close() {
        pending = [];
      },
    };
  },
});

export default upmem;
