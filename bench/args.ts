/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';

export const SCENARIO_KEYS = ['m2p', 'm2m', 'p2m', 'kafka', 'scheduler'] as const;
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

export interface BenchArgs {
  rows: number;
  runs: number;
  only: ReadonlySet<ScenarioKey>;
  seed: number;
  keep: boolean;
  workDir: string;
  json?: string;
  /** task_detail `runtime` overrides for fdi (`--fdi-runtime batch_size=5000`). */
  fdiRuntime: Record<string, number>;
  quick: boolean;
}

export const FULL_ROWS = 1_000_000;
export const QUICK_ROWS = 50_000;

export const USAGE = `usage: npm run bench -- [--rows N | --quick] [--only m2p,m2m,p2m,kafka,scheduler] [--runs 3]
                       [--seed 42] [--keep] [--work-dir bench/out] [--json results.json]
                       [--fdi-runtime batch_size=5000,...]`;

export class UsageError extends Error {}

function positiveInt(name: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], defaultWorkDir: string): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        rows: { type: 'string' },
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        seed: { type: 'string' },
        keep: { type: 'boolean', default: false },
        'work-dir': { type: 'string' },
        json: { type: 'string' },
        'fdi-runtime': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  if (v.quick && v.rows !== undefined) throw new UsageError('--quick and --rows exclude each other');
  const only = new Set<ScenarioKey>();
  for (const item of (v.only ?? []).flatMap((s) => s.split(','))) {
    const key = item.trim();
    if (!(SCENARIO_KEYS as readonly string[]).includes(key)) throw new UsageError(`--only: unknown scenario "${key}" (one of ${SCENARIO_KEYS.join(', ')})`);
    only.add(key as ScenarioKey);
  }
  const fdiRuntime: Record<string, number> = {};
  for (const pair of (v['fdi-runtime'] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new UsageError(`--fdi-runtime: "${pair}" is not key=value`);
    fdiRuntime[key.trim()] = positiveInt(`fdi-runtime ${key}`, value.trim());
  }
  return {
    rows: v.quick ? QUICK_ROWS : v.rows !== undefined ? positiveInt('rows', v.rows) : FULL_ROWS,
    runs: v.runs !== undefined ? positiveInt('runs', v.runs) : 3,
    only: only.size > 0 ? only : new Set(SCENARIO_KEYS),
    seed: v.seed !== undefined ? positiveInt('seed', v.seed) : 42,
    keep: v.keep ?? false,
    workDir: v['work-dir'] ?? defaultWorkDir,
    ...(v.json !== undefined ? { json: v.json } : {}),
    fdiRuntime,
    quick: v.quick ?? false,
  };
}
