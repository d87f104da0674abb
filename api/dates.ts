/**
 * Calendar-date logic for birthdays. Pure functions over {year, month, day} values; the only
 * link to wall-clock time is `todayIn`, which takes the instant and an IANA zone explicitly so
 * results never depend on the process's TZ and tests can pin the clock.
 */

export interface CalendarDate {
  readonly year: number;
  /** 1 to 12 */
  readonly month: number;
  /** 1 to 31 */
  readonly day: number;
}

/** Source of the current instant; injected so tests can fix "now". */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses a strict `YYYY-MM-DD` that names a real day (no 2023-02-30). Year 0000 is refused:
 * PostgreSQL's `date` has no year zero.
 */
export function parseIsoDate(text: string): CalendarDate | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  return { year, month, day };
}

export function formatIsoDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * Day number on a proleptic Gregorian line; only differences between two are meaningful.
 * Integer arithmetic (H. Hinnant's days_from_civil) rather than Date objects: it runs on every
 * GET, and the result is the same for every year from 1 to 9999.
 */
function dayNumber(date: CalendarDate): number {
  const year = date.month <= 2 ? date.year - 1 : date.year;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear =
    Math.floor((153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5) + date.day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra;
}

/**
 * The day someone born on `birth` celebrates in `year`. People born on 29 February celebrate
 * on 28 February in non-leap years (the convention used by many civil registries).
 */
export function birthdayIn(year: number, birth: CalendarDate): CalendarDate {
  if (birth.month === 2 && birth.day === 29 && !isLeapYear(year)) {
    return { year, month: 2, day: 28 };
  }
  return { year, month: birth.month, day: birth.day };
}

/** 0 when `today` is the birthday, else the number of days until the next one. */
export function daysUntilBirthday(birth: CalendarDate, today: CalendarDate): number {
  let next = birthdayIn(today.year, birth);
  if (compareDates(next, today) < 0) next = birthdayIn(today.year + 1, birth);
  return dayNumber(next) - dayNumber(today);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      calendar: 'gregory',
      numberingSystem: 'latn',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date in `timeZone` at the instant `now`. */
export function todayIn(timeZone: string, now: Date): CalendarDate {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of formatterFor(timeZone).formatToParts(now)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return { year, month, day };
}

/**
 * `todayIn` for a fixed zone, memoised per wall-clock second: Intl formatting costs a few
 * microseconds and the hot path asks for "today" on every request.
 */
export function createTodayProvider(timeZone: string, clock: Clock): () => CalendarDate {
  let cachedSecond = Number.NaN;
  let cachedToday: CalendarDate = { year: 1970, month: 1, day: 1 };
  return () => {
    const now = clock();
    const second = Math.floor(now.getTime() / 1000);
    if (second !== cachedSecond) {
      cachedToday = todayIn(timeZone, now);
      cachedSecond = second;
    }
    return cachedToday;
  };
}

/** The greeting that GET /hello/:username answers with. */
export function birthdayMessage(
  username: string,
  birth: CalendarDate,
  today: CalendarDate,
): string {
  const days = daysUntilBirthday(birth, today);
  if (days === 0) return `Hello, ${username}! Happy birthday!`;
  return `Hello, ${username}! Your birthday is in ${days} day(s)`;
}
