import { DEFAULT_RUNTIME_OPTIONS, MAX_PARALLELISM } from '../defaults.ts';
import type { RuntimeOptions } from '../task-spec.ts';
import { bool, optInt, optNumber, optObject } from './coerce.ts';
import { invalid } from './errors.ts';
import { foldKey } from './fields.ts';

/** Each runtime option: its snake_case name (camelCase is accepted too) and how it is read. */
const OPTIONS: { [K in keyof RuntimeOptions]: { name: string; read: (value: unknown, field: string, current: RuntimeOptions[K]) => RuntimeOptions[K] } } = {
  batchSize: { name: 'batch_size', read: (v, field, d) => optInt(v, field, { min: 1, max: 100_000 }) ?? d },
  channelCapacity: { name: 'channel_capacity', read: (v, field, d) => optInt(v, field, { min: 1, max: 1000 }) ?? d },
  dirtyMaxCount: { name: 'dirty_max_count', read: (v, field, d) => (v === null ? null : optInt(v, field, { min: 0 }) ?? d) },
  dirtyMaxRatio: { name: 'dirty_max_ratio', read: (v, field, d) => (v === null ? null : optNumber(v, field, { min: 0, max: 1 }) ?? d) },
  dirtyMinSample: { name: 'dirty_min_sample', read: (v, field, d) => optInt(v, field, { min: 0 }) ?? d },
  integrityCheck: { name: 'integrity_check', read: (v, field, d) => bool(v, field, d) },
  parallelism: { name: 'parallelism', read: (v, field, d) => optInt(v, field, { min: 1, max: MAX_PARALLELISM }) ?? d },
  progressIntervalMs: { name: 'progress_interval_ms', read: (v, field, d) => optInt(v, field, { min: 100, max: 3_600_000 }) ?? d },
  textBatchSize: { name: 'text_batch_size', read: (v, field, d) => optInt(v, field, { min: 1, max: 100_000 }) ?? d },
  textTransfer: { name: 'text_transfer', read: (v, field, d) => bool(v, field, d) },
};

/**
 * The `runtime` key of task_detail (beyond the spec), over DEFAULT_RUNTIME_OPTIONS. An unknown key is an error,
 * so a misspelt limit is not silently ignored. `dirty_max_count`/`dirty_max_ratio` take null for "no limit".
 */
export function parseRuntime(value: unknown, field: string): RuntimeOptions {
  const options: RuntimeOptions = { ...DEFAULT_RUNTIME_OPTIONS };
  const f = optObject(value, field);
  if (!f) return options;
  const byFold = new Map<string, keyof RuntimeOptions>();
  for (const key of Object.keys(OPTIONS) as (keyof RuntimeOptions)[]) byFold.set(foldKey(OPTIONS[key].name), key);
  for (const [key, raw] of Object.entries(f.object)) {
    const option = byFold.get(foldKey(key));
    if (option === undefined) {
      const known = Object.values(OPTIONS).map((o) => o.name).join(', ');
      throw invalid(f.field(key), `is not a runtime option (known: ${known})`);
    }
    setOption(options, option, raw, f.field(key));
  }
  return options;
}

function setOption<K extends keyof RuntimeOptions>(options: RuntimeOptions, key: K, raw: unknown, field: string): void {
  options[key] = OPTIONS[key].read(raw, field, options[key]);
}
