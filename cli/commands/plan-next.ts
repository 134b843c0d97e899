import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isFdiError, type FdiError } from '../../core/fdi-error.ts';
import {
  defaultPlanTimeZone,
  formatInZone,
  nextFireTimes,
  parseStartDatetime,
  parseTimeZone,
  validatePlan,
  type PlanTiming,
} from '../../scheduler/plan/index.ts';
import { EXIT } from '../exit-codes.ts';

const DEFAULT_COUNT = 5;
const MAX_COUNT = 1000;

interface PlanNextOptions {
  cron?: string;
  period?: string;
  interval?: string;
  start?: string;
  tz?: string;
  from?: string;
  count: string;
}

interface PlanNextIo {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
  now(): Date;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function planFromOptions(opts: PlanNextOptions, timeZone: string, now: Date): PlanTiming {
  if ((opts.cron === undefined) === (opts.period === undefined)) {
    throw new UsageError('give either --cron "<expression>" or --period <unit> --interval <n> --start <datetime>');
  }
  if (opts.cron !== undefined) {
    for (const name of ['period', 'interval'] as const) {
      if (opts[name] !== undefined) throw new UsageError(`--${name} does not apply to a --cron plan`);
    }
    return validatePlan({ use_quartz_cron: true, cron: opts.cron, start_datetime: opts.start, time_zone: timeZone });
  }
  if (opts.interval === undefined) throw new UsageError('--period needs --interval <n>');
  if (opts.start === undefined) throw new UsageError('--period needs --start <datetime> (ISO-8601 or epoch ms)');
  return validatePlan(
    {
      use_quartz_cron: false,
      period: opts.period,
      dispatch_interval: opts.interval,
      start_datetime: opts.start,
      time_zone: timeZone,
    },
    { now: now.getTime() },
  );
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_COUNT) {
    throw new UsageError(`--count must be an integer from 1 to ${MAX_COUNT}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The output lines for the options, or an error for invalid input. */
function planNextLines(opts: PlanNextOptions, io: PlanNextIo): string[] {
  const timeZone = opts.tz === undefined ? defaultPlanTimeZone(io.env) : parseTimeZone(opts.tz, '--tz');
  const count = parseCount(opts.count);
  const plan = planFromOptions(opts, timeZone, io.now());
  const from = opts.from === undefined ? io.now() : new Date(parseStartDatetime(opts.from, timeZone, '--from'));
  return nextFireTimes(plan, from, count).map((fire) => formatInZone(fire.getTime(), timeZone));
}

function describeError(e: UsageError | FdiError): string {
  return isFdiError(e) ? `${e.code} ${e.message}` : e.message;
}

function defineCommand(io: PlanNextIo): Command {
  return new Command('next')
    .description(
      'Print the next fire times of a dispatch plan, one ISO-8601 instant per line with the plan zone\'s offset.',
    )
    .option('--cron <expression>', 'Quartz cron expression: sec min hour day-of-month month day-of-week [year]')
    .option('--period <unit>', 'period plan unit: MIN, HOUR, DAY, WEEK or MON (MONTH)')
    .option('--interval <n>', 'dispatch_interval: fire every n units (MIN 1-59, HOUR 1-23, DAY 1-30, WEEK 1-7, MON 1-12)')
    .option('--start <datetime>', 'start_datetime: ISO-8601 (without offset: in --tz) or epoch ms')
    .option('--tz <zone>', 'IANA time zone of the plan (default: FDI_TIME_ZONE, else UTC)')
    .option('--from <datetime>', 'list fires strictly after this instant (default: now)')
    .option('--count <n>', `how many fire times (1-${MAX_COUNT})`, String(DEFAULT_COUNT))
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action((opts: PlanNextOptions) => {
      try {
        const lines = planNextLines(opts, io);
        if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
        else io.err('the plan has no fire time after --from (its year field lies in the past)\n');
      } catch (e) {
        if (!(e instanceof UsageError) && !isFdiError(e)) throw e;
        io.err(`fdi plan next: ${describeError(e)}\n`);
        io.setExitCode(EXIT.INVALID_INPUT);
      }
    });
}

function processIo(): PlanNextIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    now: () => new Date(),
    env: process.env,
  };
}

/** `next` for mounting under `fdi plan`: writes to stdout/stderr, exit code 2 on invalid input. */
export function planNextCommand(): Command {
  return defineCommand(processIo()).exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.INVALID_INPUT);
  });
}

/** `fdi plan` with its `next` subcommand. */
export function planCommand(): Command {
  return new Command('plan').description('Dispatch plans').addCommand(planNextCommand());
}

export interface PlanNextResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunPlanNextOptions {
  /** "now" for a missing --from (and a missing start); default the real clock. */
  readonly now?: Date;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `fdi plan next <argv…>` in-process and returns what it printed and its exit code. */
export function runPlanNext(argv: readonly string[], options: RunPlanNextOptions = {}): PlanNextResult {
  let stdout = '';
  let stderr = '';
  let code: number = EXIT.OK;
  const command = defineCommand({
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    setExitCode: (c) => {
      code = c;
    },
    now: () => options.now ?? new Date(),
    env: options.env ?? process.env,
  }).exitOverride();
  try {
    command.parse([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? EXIT.OK : EXIT.INVALID_INPUT;
  }
  return { code, stdout, stderr };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const result = runPlanNext(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
