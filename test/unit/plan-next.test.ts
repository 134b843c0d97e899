import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planCommand, planNextCommand, runPlanNext } from '../../cli/commands/plan-next.ts';
import { EXIT } from '../../cli/exit-codes.ts';

const NOW = new Date('2025-01-01T00:00:00Z');
const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => runPlanNext(argv, { now: NOW, env });

describe('fdi plan next', () => {
  it('prints Quartz fire times, one per line, with the plan zone offset', () => {
    const result = run(['--cron', '0 30 2 * * ?', '--tz', 'Europe/Berlin', '--from', '2025-03-29T12:00:00Z', '--count', '3']);
    expect(result).toEqual({
      code: 0,
      stdout: '2025-03-31T02:30:00+02:00\n2025-04-01T02:30:00+02:00\n2025-04-02T02:30:00+02:00\n',
      stderr: '',
    });
  });

  it('prints period fire times (monthly from Jan 31, New York)', () => {
    const result = run([
      '--period', 'MONTH', '--interval', '1', '--start', '2024-01-31T09:00', '--tz', 'America/New_York',
      '--from', '2024-01-01T00:00:00Z', '--count', '4',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '2024-01-31T09:00:00-05:00',
      '2024-02-29T09:00:00-05:00',
      '2024-03-31T09:00:00-04:00',
      '2024-04-30T09:00:00-04:00',
      '',
    ]);
  });

  it('defaults to 5 fires after now, in FDI_TIME_ZONE', () => {
    const result = run(['--cron', '0 0 12 * * ?'], { FDI_TIME_ZONE: 'Asia/Shanghai' });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '2025-01-01T12:00:00+08:00',
      '2025-01-02T12:00:00+08:00',
      '2025-01-03T12:00:00+08:00',
      '2025-01-04T12:00:00+08:00',
      '2025-01-05T12:00:00+08:00',
    ]);
    expect(run(['--cron', '0 0 12 * * ?', '--count', '1']).stdout).toBe('2025-01-01T12:00:00+00:00\n');
  });

  it('reads --from without an offset in the plan zone, and as epoch ms', () => {
    expect(run(['--cron', '0 0 * * * ?', '--tz', 'Asia/Tokyo', '--from', '2025-06-01T10:30', '--count', '1']).stdout).toBe(
      '2025-06-01T11:00:00+09:00\n',
    );
    expect(run(['--cron', '0 0 * * * ?', '--from', String(Date.parse('2025-06-01T10:30:00Z')), '--count', '1']).stdout).toBe(
      '2025-06-01T11:00:00+00:00\n',
    );
  });

  it('says so on stderr when the plan never fires again', () => {
    const result = run(['--cron', '0 0 0 1 1 ? 2020']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no fire time');
  });

  const INVALID: ReadonlyArray<readonly [string, string[], string]> = [
    ['an invalid cron', ['--cron', '0 0 12 ? * 8'], "FDI.3002 Invalid parameters. cron \"0 0 12 ? * 8\": field 6 (day-of-week) '8'"],
    ['both day fields', ['--cron', '0 0 * * * *'], 'Support for specifying both a day-of-week AND a day-of-month'],
    ['neither --cron nor --period', [], 'give either --cron'],
    ['both --cron and --period', ['--cron', '0 0 12 * * ?', '--period', 'DAY'], 'give either --cron'],
    ['--interval with --cron', ['--cron', '0 0 12 * * ?', '--interval', '2'], '--interval does not apply'],
    ['--period without --interval', ['--period', 'DAY', '--start', '2025-01-01T00:00:00Z'], '--period needs --interval'],
    ['--period without --start', ['--period', 'DAY', '--interval', '1'], '--period needs --start'],
    ['an interval over the limit', ['--period', 'HOUR', '--interval', '24', '--start', '2025-01-01'], '1 to 23 for period HOUR'],
    ['an unknown period', ['--period', 'YEAR', '--interval', '1', '--start', '2025-01-01'], 'period must be one of'],
    ['a bad --start', ['--period', 'DAY', '--interval', '1', '--start', 'soon'], 'start_datetime "soon"'],
    ['a bad --from', ['--cron', '0 0 12 * * ?', '--from', '2025-13-01'], '--from "2025-13-01"'],
    ['a bad --tz', ['--cron', '0 0 12 * * ?', '--tz', 'Moon/Base'], '--tz must be an IANA time zone'],
    ['a bad --count', ['--cron', '0 0 12 * * ?', '--count', '0'], '--count must be an integer from 1 to 1000'],
    ['an unknown option', ['--cron', '0 0 12 * * ?', '--bogus'], "unknown option '--bogus'"],
    ['a missing option value', ['--cron'], "option '--cron <expression>' argument missing"],
  ];

  it.each(INVALID)('%s → exit 2 with the reason on stderr', (_name, argv, reason) => {
    const result = run(argv);
    expect(result.code).toBe(EXIT.INVALID_INPUT);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(reason);
  });

  it('a bad FDI_TIME_ZONE is reported, exit 2', () => {
    const result = run(['--cron', '0 0 12 * * ?'], { FDI_TIME_ZONE: 'Nowhere/Special' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FDI_TIME_ZONE');
  });

  it('--help prints usage, exit 0', () => {
    const result = run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--cron <expression>');
    expect(result.stdout).toContain('--period <unit>');
  });

  it('exports commander commands for cli/main.ts', () => {
    expect(planNextCommand().name()).toBe('next');
    const plan = planCommand();
    expect(plan.name()).toBe('plan');
    expect(plan.commands.map((c) => c.name())).toEqual(['next']);
  });

  it('runs standalone as a process: stdout, stderr and exit code', () => {
    const script = fileURLToPath(new URL('../../cli/commands/plan-next.ts', import.meta.url));
    const ok = spawnSync(process.execPath, ['--import', 'tsx', script, '--cron', '0 15 10 ? * 6#3', '--from', '2025-01-01T00:00:00Z', '--count', '2'], {
      encoding: 'utf8',
      env: { ...process.env, FDI_TIME_ZONE: '' },
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('2025-01-17T10:15:00+00:00\n2025-02-21T10:15:00+00:00\n');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', script, '--cron', '0 0 12 32 * ?'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Day of month values must be between 1 and 31');
  });
});
