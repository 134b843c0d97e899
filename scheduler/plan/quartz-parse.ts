import { FdiError } from '../../core/fdi-error.ts';

/**
 * Parser for Quartz cron expressions, following org.quartz.CronExpression (Quartz 2.3):
 * `sec min hour day-of-month month day-of-week [year]`, day-of-week 1 = SUN … 7 = SAT.
 * Where Quartz 2.3 silently ignores trailing characters (`5X`, `MON/2`, `0/0`), this parser rejects the
 * item instead, so an expression never fires differently from what it says.
 */

/** A day-of-month rule (the field is not `?`). */
export type DayOfMonthRule =
  /** Plain days (`*`, lists, ranges, steps); days past the month's end never match. */
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `L`, `L-n`, `LW`, `L-nW`: the last day minus `offset`, moved to the nearest weekday when `nearestWeekday`. */
  | { readonly kind: 'last'; readonly offset: number; readonly nearestWeekday: boolean }
  /** `nW`: the weekday nearest day `day`, never crossing into another month. */
  | { readonly kind: 'nearestWeekday'; readonly day: number };

/** A day-of-week rule (the field is not `?`); days are 1 = SUN … 7 = SAT. */
export type DayOfWeekRule =
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** `nL`: the last such weekday of the month. */
  | { readonly kind: 'last'; readonly day: number }
  /** `n#k`: the k-th such weekday of the month. */
  | { readonly kind: 'nth'; readonly day: number; readonly nth: number };

export interface QuartzCron {
  /** The expression as read: upper case, fields separated by one space. */
  readonly expression: string;
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Null when `?`. */
  readonly dayOfMonth: DayOfMonthRule | null;
  readonly months: readonly number[];
  /** Null when `?`. */
  readonly dayOfWeek: DayOfWeekRule | null;
  /** Sorted years, or 'any' when the year field is absent or `*`. */
  readonly years: readonly number[] | 'any';
}

export const QUARTZ_MIN_YEAR = 1970;
export const QUARTZ_MAX_YEAR = 2099;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Cycle length for wrap-around ranges such as `22-2` or `FRI-MON`; null when ranges cannot wrap. */
  readonly cycle: number | null;
  readonly names?: Readonly<Record<string, number>>;
  /** Quartz's own wording. */
  readonly rangeMessage: string;
  readonly incrementMessage: (step: number) => string;
  readonly maxIncrement: number;
}

const MONTH_NAMES: Readonly<Record<string, number>> = {
  JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12,
};
const DAY_NAMES: Readonly<Record<string, number>> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7 };

const SECOND: FieldSpec = {
  name: 'second', min: 0, max: 59, cycle: 60, maxIncrement: 59,
  rangeMessage: 'Minute and Second values must be between 0 and 59',
  incrementMessage: (n) => `Increment > 60 : ${n}`,
};
const MINUTE: FieldSpec = { ...SECOND, name: 'minute' };
const HOUR: FieldSpec = {
  name: 'hour', min: 0, max: 23, cycle: 24, maxIncrement: 23,
  rangeMessage: 'Hour values must be between 0 and 23',
  incrementMessage: (n) => `Increment > 24 : ${n}`,
};
const DAY_OF_MONTH: FieldSpec = {
  name: 'day-of-month', min: 1, max: 31, cycle: 31, maxIncrement: 31,
  rangeMessage: 'Day of month values must be between 1 and 31',
  incrementMessage: (n) => `Increment > 31 : ${n}`,
};
const MONTH: FieldSpec = {
  name: 'month', min: 1, max: 12, cycle: 12, maxIncrement: 12, names: MONTH_NAMES,
  rangeMessage: 'Month values must be between 1 and 12',
  incrementMessage: (n) => `Increment > 12 : ${n}`,
};
const DAY_OF_WEEK: FieldSpec = {
  name: 'day-of-week', min: 1, max: 7, cycle: 7, maxIncrement: 7, names: DAY_NAMES,
  rangeMessage: 'Day-of-Week values must be between 1 and 7',
  incrementMessage: (n) => `Increment > 7 : ${n}`,
};
const YEAR: FieldSpec = {
  name: 'year', min: QUARTZ_MIN_YEAR, max: QUARTZ_MAX_YEAR, cycle: null,
  maxIncrement: QUARTZ_MAX_YEAR - QUARTZ_MIN_YEAR,
  rangeMessage: `Year values must be between ${QUARTZ_MIN_YEAR} and ${QUARTZ_MAX_YEAR}`,
  incrementMessage: (n) => `Increment > ${QUARTZ_MAX_YEAR - QUARTZ_MIN_YEAR} : ${n}`,
};

/** Thrown inside the parser; turned into FDI.3002 naming the field and the expression. */
class CronSyntaxError extends Error {}

function fail(reason: string): never {
  throw new CronSyntaxError(reason);
}

function parseValue(text: string, spec: FieldSpec): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(`${spec.rangeMessage} (got ${value})`);
    return value;
  }
  if (/^[A-Z]+$/.test(text) && spec.names) {
    const value = spec.names[text];
    if (value === undefined) {
      fail(spec === MONTH ? `Invalid Month value: '${text}'` : `Invalid Day-of-Week value: '${text}'`);
    }
    return value;
  }
  for (const special of ['L', 'W', '#', '?'] as const) {
    if (text.includes(special)) fail(`'${special}' option is not valid here`);
  }
  fail(`Illegal characters for this position: '${text}'`);
}

function parseStep(text: string, spec: FieldSpec): number {
  if (!/^\d+$/.test(text)) fail("'/' must be followed by an integer.");
  const step = Number(text);
  if (step < 1) fail('the increment after \'/\' must be at least 1');
  if (step > spec.maxIncrement) fail(spec.incrementMessage(step));
  return step;
}

/** Values of `start..end` by `step`, wrapping past the field's end for cyclic fields (`22-2`, `NOV-FEB`). */
function expand(start: number, end: number, step: number, spec: FieldSpec): number[] {
  const values: number[] = [];
  if (start <= end) {
    for (let v = start; v <= end; v += step) values.push(v);
    return values;
  }
  if (spec.cycle === null) fail(`Start ${spec.name} must be less than stop ${spec.name} (${start}-${end})`);
  for (let v = start; v <= end + spec.cycle; v += step) {
    values.push(((v - spec.min) % spec.cycle) + spec.min);
  }
  return values;
}

/** `*`, `/n`, `*\/n`, `a`, `a/n`, `a-b`, `a-b/n`, names and name ranges. */
function parseItem(item: string, spec: FieldSpec): number[] {
  const slash = item.indexOf('/');
  const base = slash === -1 ? item : item.slice(0, slash);
  const step = slash === -1 ? null : parseStep(item.slice(slash + 1), spec);

  if (base === '' || base === '*') {
    if (base === '' && step === null) fail('empty value');
    return expand(spec.min, spec.max, step ?? 1, spec);
  }
  const dash = base.indexOf('-');
  const startText = dash === -1 ? base : base.slice(0, dash);
  const endText = dash === -1 ? null : base.slice(dash + 1);
  const usesNames = /[A-Z]/.test(startText) || (endText !== null && /[A-Z]/.test(endText));
  if (usesNames && step !== null && spec.names) {
    fail(`an increment after a name is ignored by Quartz; write the range with numbers (e.g. 2-6/${step})`);
  }
  if (endText !== null && usesNames && spec.names && (/\d/.test(startText) || /\d/.test(endText))) {
    fail(`a range must use names on both ends or numbers on both ends ('${base}')`);
  }
  const start = parseValue(startText, spec);
  if (endText === null) {
    return step === null ? [start] : expand(start, spec.max, step, spec);
  }
  if (endText === '') fail(`range '${base}' has no end`);
  return expand(start, parseValue(endText, spec), step ?? 1, spec);
}

function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function parseList(field: string, spec: FieldSpec): number[] {
  const items = field.split(',');
  if (items.some((i) => i === '')) fail(`empty value in the list '${field}'`);
  return sortedUnique(items.flatMap((item) => parseItem(item, spec)));
}

function parseDayOfMonth(field: string): DayOfMonthRule {
  if (field.includes('L') && field.length > 1 && field.includes(',')) {
    fail("Support for specifying 'L' and 'LW' with other days of the month is not implemented");
  }
  const last = /^L(?:-(\d*))?(W?)$/.exec(field);
  if (last) {
    const offsetText = last[1];
    if (offsetText === '') fail("'L-' must be followed by the number of days before the last day");
    const offset = offsetText === undefined ? 0 : Number(offsetText);
    if (offset > 30) fail('Offset from last day must be <= 30');
    return { kind: 'last', offset, nearestWeekday: last[2] === 'W' };
  }
  if (field.includes('L')) fail(`'L' must stand alone in day-of-month (L, LW, L-n, L-nW), not '${field}'`);
  if (field.includes('W')) {
    const nearest = /^(\d+)W$/.exec(field);
    if (!nearest?.[1]) {
      fail(`'W' can only follow a single day of the month (e.g. 15W), not a list or range: '${field}'`);
    }
    const day = Number(nearest[1]);
    if (day > 31) {
      fail("The 'W' option does not make sense with values larger than 31 (max number of days in a month)");
    }
    if (day < 1) fail(`${DAY_OF_MONTH.rangeMessage} (got ${day})`);
    return { kind: 'nearestWeekday', day };
  }
  return { kind: 'days', days: parseList(field, DAY_OF_MONTH) };
}

function parseDayOfWeek(field: string): DayOfWeekRule {
  if (field.includes('L') && field.length > 1 && field.includes(',')) {
    fail("Support for specifying 'L' with other days of the week is not implemented");
  }
  if ((field.match(/#/g) ?? []).length > 1) {
    fail('Support for specifying multiple "nth" days is not implemented.');
  }
  if (field === 'L') return { kind: 'days', days: [7] };
  const last = /^([A-Z0-9]+)L$/.exec(field);
  if (last?.[1]) return { kind: 'last', day: parseValue(last[1], DAY_OF_WEEK) };
  if (field.includes('L')) fail(`'L' in day-of-week is either alone (= SAT) or after one day (6L), not '${field}'`);
  const hash = field.indexOf('#');
  if (hash !== -1) {
    if (field.includes(',')) fail(`'#' cannot be combined with other days of the week: '${field}'`);
    const nthText = field.slice(hash + 1);
    if (!/^\d+$/.test(nthText) || Number(nthText) < 1 || Number(nthText) > 5) {
      fail("A numeric value between 1 and 5 must follow the '#' option");
    }
    return { kind: 'nth', day: parseValue(field.slice(0, hash), DAY_OF_WEEK), nth: Number(nthText) };
  }
  return { kind: 'days', days: parseList(field, DAY_OF_WEEK) };
}

function parseYears(field: string): readonly number[] | 'any' {
  return field === '*' ? 'any' : parseList(field, YEAR);
}

const FIELD_SPECS = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] as const;

function invalid(expression: string, reason: string): FdiError {
  return new FdiError('FDI.3002', `cron "${expression}": ${reason}`, 'cron');
}

/** Parses a Quartz cron expression; FDI.3002 naming `cron`, the field and the reason when it is invalid. */
export function parseQuartzCron(input: string): QuartzCron {
  const original = input.trim();
  const fields = original.toUpperCase().split(/[ \t]+/).filter((f) => f !== '');
  if (fields.length < 6) {
    throw invalid(original, `Unexpected end of expression: ${fields.length} fields, Quartz needs 6 or 7 ` +
      '(second minute hour day-of-month month day-of-week [year])');
  }
  if (fields.length > 7) {
    throw invalid(original, `too many fields: ${fields.length}, Quartz takes 6 or 7 ` +
      '(second minute hour day-of-month month day-of-week [year])');
  }
  const expression = fields.join(' ');
  const at = (index: number): string => fields[index] ?? '*';

  let current = 0;
  try {
    for (current = 0; current < fields.length; current++) {
      const field = at(current);
      if (field.includes('?') && field !== '?') fail(`'?' must be the whole field, not '${field}'`);
      if (field === '?' && current !== 3 && current !== 5) {
        fail("'?' can only be specified for Day-of-Month or Day-of-Week.");
      }
    }
    current = 0;
    const seconds = parseList(at(0), SECOND);
    current = 1;
    const minutes = parseList(at(1), MINUTE);
    current = 2;
    const hours = parseList(at(2), HOUR);
    current = 3;
    const dayOfMonth = at(3) === '?' ? null : parseDayOfMonth(at(3));
    current = 4;
    const months = parseList(at(4), MONTH);
    current = 5;
    const dayOfWeek = at(5) === '?' ? null : parseDayOfWeek(at(5));
    current = 6;
    const years = parseYears(at(6));

    if (dayOfMonth === null && dayOfWeek === null) {
      current = 5;
      fail("'?' can only be specified for Day-of-Month -OR- Day-of-Week.");
    }
    if (dayOfMonth !== null && dayOfWeek !== null) {
      throw invalid(original, 'Support for specifying both a day-of-week AND a day-of-month parameter is not ' +
        "implemented. Put '?' in one of the two fields (e.g. \"0 0 12 * * ?\" or \"0 0 12 ? * MON\").");
    }
    return { expression, seconds, minutes, hours, dayOfMonth, months, dayOfWeek, years };
  } catch (e) {
    if (e instanceof CronSyntaxError) {
      const spec = FIELD_SPECS[current] ?? YEAR;
      throw invalid(original, `field ${current + 1} (${spec.name}) '${at(current)}': ${e.message}`);
    }
    throw e;
  }
}
