/**
 * `npm run bench`: prepares fixed data sets in the real test services, runs every contender of every scenario
 * several times, and prints one table of medians (see docs/benchmarks.md).
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { parseBenchArgs, UsageError, USAGE, type BenchArgs } from './args.ts';
import type { Contender, ContenderResult } from './contender.ts';
import { mysqlToMysql, mysqlToPostgres, postgresToMysql, type CopyContext } from './copy-scenarios.ts';
import { describeMachine } from './machine.ts';
import { dropAll, ensurePgDatabase, PG_DATABASE, prepareDataset } from './prepare.ts';
import { copyRow, formatTable, type ResultRow } from './report.ts';
import { benchServices, mysqlAdmin, pgAdmin } from './services.ts';
import { runKafkaLimit, runKafkaScenario } from './kafka-scenario.ts';
import { runSchedulerScenario } from './scheduler-scenario.ts';
import { settleDatabases } from './settle.ts';
import { ensureTool } from './system-tools.ts';

const KAFKA_LOAD = { rate: 5000, seconds: 30 };
const QUICK_KAFKA_LOAD = { rate: 2000, seconds: 10 };
/** The limit's latency percentiles settle within seconds; a shorter load keeps the whole run in budget. */
const KAFKA_LIMIT_SECONDS = 10;
const SCHEDULER_TASKS = 1000;
const QUICK_SCHEDULER_TASKS = 100;
const SCHEDULER_MINUTES = 2;
const SCHEDULER_WORKERS = 2;

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** `settle` runs before each timed run (see settle.ts). */
async function runContenders(contenders: readonly Contender[], runs: number, settle: () => Promise<void>): Promise<ContenderResult[]> {
  const results = contenders.map((c): ContenderResult => ({ scenario: c.scenario, tool: c.tool, rows: c.rows, bytes: c.bytes, runs: [], notes: new Set() }));
  for (const [i, c] of contenders.entries()) {
    const reason = await c.unavailable();
    if (reason) {
      (results[i] as ContenderResult).skipped = reason;
      log(`skip ${c.scenario} / ${c.tool}: ${reason}`);
    }
  }
  // Round-robin, so a warming cache or a busy moment is spread over every contender instead of one.
  for (let round = 1; round <= runs; round++) {
    for (const [i, c] of contenders.entries()) {
      const result = results[i] as ContenderResult;
      if (result.skipped || result.failed) continue;
      try {
        const before = performance.now();
        await c.reset();
        await settle();
        const settled = performance.now();
        const m = await c.run();
        const ran = performance.now();
        const note = await c.check(m);
        if (note) result.notes.add(note);
        result.runs.push(m);
        const around = `reset and settle ${seconds(settled - before)}, check ${seconds(performance.now() - ran)}`;
        log(`${c.scenario} / ${c.tool} run ${round}/${runs}: ${m.seconds.toFixed(2)} s, ${Math.round(c.rows / m.seconds).toLocaleString('en-US')} rows/s, peak RSS ${m.peakRssMb.toFixed(0)} MB (${around})`);
      } catch (e) {
        result.failed = e instanceof Error ? e.message : String(e);
        log(`FAILED ${c.scenario} / ${c.tool}: ${result.failed}`);
      }
    }
  }
  return results;
}

function failedRow(scenario: string, tool: string, e: unknown): ResultRow {
  const message = e instanceof Error ? e.message : String(e);
  log(`FAILED ${scenario} / ${tool}: ${message}`);
  return { scenario, tool, note: `FAILED: ${message}` };
}

async function main(args: BenchArgs): Promise<number> {
  const started = performance.now();
  const missingTime = ensureTool('/usr/bin/time', 'time', log);
  if (missingTime) {
    log(`cannot measure peak RSS: ${missingTime}`);
    return 1;
  }
  const configured = benchServices();
  let my;
  let serverAdmin;
  try {
    my = await mysqlAdmin(configured.mysql);
    serverAdmin = await pgAdmin(configured.pg);
  } catch (e) {
    log(`the test services do not answer (${e instanceof Error ? e.message : String(e)}); start them with: npm run services -- up`);
    return 1;
  }
  await ensurePgDatabase(serverAdmin);
  const services = { ...configured, pg: { ...configured.pg, database: PG_DATABASE } };
  const pgc = await pgAdmin(services.pg);
  const rows: ResultRow[] = [];
  try {
    const copies = (['m2p', 'm2m', 'p2m'] as const).filter((k) => args.only.has(k));
    if (copies.length > 0) {
      const dataset = await prepareDataset({ services, my, pgc, workDir: args.workDir, rows: args.rows, seed: args.seed, log });
      log(`data set: ${dataset.rows.toLocaleString('en-US')} rows, ${(dataset.bytes / 1e6).toFixed(1)} MB as COPY text`);
      const ctx: CopyContext = { services, my, pgc, dataset, workDir: args.workDir, fdiRuntime: args.fdiRuntime, log };
      const contenders = [
        ...(args.only.has('m2p') ? mysqlToPostgres(ctx) : []),
        ...(args.only.has('m2m') ? mysqlToMysql(ctx) : []),
        ...(args.only.has('p2m') ? postgresToMysql(ctx) : []),
      ];
      rows.push(...(await runContenders(contenders, args.runs, () => settleDatabases(my, pgc))).map(copyRow));
    }
    if (args.only.has('kafka')) {
      const load = args.quick ? QUICK_KAFKA_LOAD : KAFKA_LOAD;
      const input = { services, pgc, workDir: args.workDir, ...load, log };
      rows.push(await runKafkaScenario(input).catch((e: unknown) => failedRow('kafka → postgresql (realtime)', 'fdi run', e)));
      const limitInput = { ...input, seconds: Math.min(load.seconds, KAFKA_LIMIT_SECONDS) };
      rows.push(await runKafkaLimit(limitInput).catch((e: unknown) => failedRow('kafka → postgresql (realtime)', 'limit: kafkajs consumer alone', e)));
    }
    if (args.only.has('scheduler')) {
      const tasks = args.quick ? QUICK_SCHEDULER_TASKS : SCHEDULER_TASKS;
      const input = { redisUrl: services.redisUrl, tasks, minutes: args.quick ? 1 : SCHEDULER_MINUTES, workers: SCHEDULER_WORKERS, log };
      rows.push(await runSchedulerScenario(input).catch((e: unknown) => failedRow('scheduler (BullMQ, Redis)', `${tasks} per-minute tasks`, e)));
    }
    // Described at the end, so that tools installed during the run (pgloader, GNU time) show their versions.
    const machine = await describeMachine(my, pgc);
    const copyLine = copies.length > 0 ? `copy data set: ${args.rows.toLocaleString('en-US')} rows${args.quick ? ' (--quick)' : ''}, ${args.runs} runs each, medians\n` : '';
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    process.stdout.write(`${machine.join('\n')}\n${copyLine}\n${formatTable(rows)}\n\nwhole benchmark: ${minutes} min\n`);
    if (args.json) writeFileSync(args.json, `${JSON.stringify({ machine, rows: args.rows, runs: args.runs, results: rows }, null, 2)}\n`);
    return rows.some((r) => r.note?.startsWith('FAILED')) ? 1 : 0;
  } finally {
    await pgc.end();
    if (!args.keep) await dropAll(my, serverAdmin).catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
    await my.end();
    await serverAdmin.end();
  }
}

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2), resolve(import.meta.dirname, 'out'));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  if (e.message) process.stderr.write(`${e.message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(e.message ? 2 : 0);
}
// Exit explicitly: a BullMQ connection that a closed deployment leaves behind must not keep the benchmark alive.
process.exit(await main(args));
