import fc from 'fast-check';
import {
  type CalendarDate,
  birthdayMessage,
  createTodayProvider,
  daysUntilBirthday,
  formatIsoDate,
  isLeapYear,
  parseIsoDate,
  todayIn,
} from '../../api/dates';

const d = (iso: string): CalendarDate => {
  const date = parseIsoDate(iso);
  if (!date) throw new Error(`bad test date ${iso}`);
  return date;
};

describe('parseIsoDate', () => {
  it.each(['2024-02-29', '2000-02-29', '1999-12-31', '0001-01-01', '2023-04-30'])(
    'accepts the real date %s',
    (text) => expect(formatIsoDate(d(text))).toBe(text),
  );
  it.each([
    '2023-02-29',
    '1900-02-29',
    '2023-02-30',
    '2023-04-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '0000-01-01',
    '2023-1-01',
    '23-01-01',
    '2023-01-01T00:00:00Z',
    ' 2023-01-01',
    '２０２３-01-01',
    '',
  ])('rejects %j', (text) => expect(parseIsoDate(text)).toBeUndefined());
});

describe('isLeapYear', () => {
  it('follows the Gregorian rules', () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});

describe('daysUntilBirthday', () => {
  it.each([
    ['1990-05-10', '2026-05-10', 0],
    ['1990-05-11', '2026-05-10', 1],
    ['1990-05-09', '2026-05-10', 364],
    // Month ends
    ['1990-02-01', '2026-01-31', 1],
    ['1990-05-01', '2026-04-30', 1],
    // Dec 31 → Jan 1
    ['1990-01-01', '2026-12-31', 1],
    ['1990-12-31', '2026-01-01', 364],
    ['1990-12-31', '2027-12-31', 0],
    // Leap years: a leap day inside the window counts
    ['1990-03-01', '2024-02-28', 2],
    ['1990-03-01', '2023-02-28', 1],
    ['1990-02-28', '2024-03-01', 364],
    ['1990-03-01', '2023-03-02', 365],
  ])('born %s, today %s → %i', (birth, today, days) => {
    expect(daysUntilBirthday(d(birth), d(today))).toBe(days);
  });

  describe('born on 29 February', () => {
    it('celebrates on 28 February in a non-leap year', () => {
      expect(daysUntilBirthday(d('2000-02-29'), d('2023-02-28'))).toBe(0);
      expect(daysUntilBirthday(d('2000-02-29'), d('2023-02-27'))).toBe(1);
    });
    it('celebrates on 29 February in a leap year', () => {
      expect(daysUntilBirthday(d('2000-02-29'), d('2024-02-28'))).toBe(1);
      expect(daysUntilBirthday(d('2000-02-29'), d('2024-02-29'))).toBe(0);
    });
    it('after the day, counts to the next year (leap or not)', () => {
      expect(daysUntilBirthday(d('2000-02-29'), d('2023-03-01'))).toBe(365); // → 2024-02-29
      expect(daysUntilBirthday(d('2000-02-29'), d('2024-03-01'))).toBe(364); // → 2025-02-28
    });
  });

  it('is always between 0 and 365', () => {
    const date = fc
      .record({
        year: fc.integer({ min: 1, max: 9998 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 31 }),
      })
      .map((x) => formatIsoDate(x))
      .filter((text) => parseIsoDate(text) !== undefined)
      .map(d);
    fc.assert(
      fc.property(date, date, (birth, today) => {
        const days = daysUntilBirthday(birth, today);
        return Number.isInteger(days) && days >= 0 && days <= 365;
      }),
    );
  });
});

describe('todayIn (fixed clock, explicit zone)', () => {
  // 2026-03-01T02:30Z is still 28 February in New York and already 1 March in Tokyo.
  const instant = new Date('2026-03-01T02:30:00Z');
  it.each([
    ['UTC', '2026-03-01'],
    ['America/New_York', '2026-02-28'],
    ['Asia/Tokyo', '2026-03-01'],
    ['Pacific/Kiritimati', '2026-03-01'],
    ['Pacific/Pago_Pago', '2026-02-28'],
  ])('in %s it is %s', (zone, expected) => {
    expect(formatIsoDate(todayIn(zone, instant))).toBe(expected);
  });

  it('either side of midnight in a zone', () => {
    expect(formatIsoDate(todayIn('Europe/Paris', new Date('2026-12-31T22:59:59Z')))).toBe(
      '2026-12-31',
    );
    expect(formatIsoDate(todayIn('Europe/Paris', new Date('2026-12-31T23:00:00Z')))).toBe(
      '2027-01-01',
    );
  });

  it('does not depend on the process TZ', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati';
      const a = formatIsoDate(todayIn('UTC', instant));
      process.env.TZ = 'America/Adak';
      const b = formatIsoDate(todayIn('UTC', instant));
      expect([a, b]).toEqual(['2026-03-01', '2026-03-01']);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('the cached provider follows the clock across midnight', () => {
    let now = new Date('2026-12-31T23:59:59.500Z');
    const today = createTodayProvider('UTC', () => now);
    expect(formatIsoDate(today())).toBe('2026-12-31');
    now = new Date('2027-01-01T00:00:00.000Z');
    expect(formatIsoDate(today())).toBe('2027-01-01');
  });
});

describe('birthdayMessage', () => {
  it('wishes happy birthday on the day', () => {
    expect(birthdayMessage('alice', d('1990-05-10'), d('2026-05-10'))).toBe(
      'Hello, alice! Happy birthday!',
    );
  });
  it('counts days with the literal "day(s)" the existing clients read, also for one', () => {
    expect(birthdayMessage('Bob', d('1990-05-11'), d('2026-05-10'))).toBe(
      'Hello, Bob! Your birthday is in 1 day(s)',
    );
    expect(birthdayMessage('Bob', d('1990-05-15'), d('2026-05-10'))).toBe(
      'Hello, Bob! Your birthday is in 5 day(s)',
    );
  });
});

describe('daysUntilBirthday matches a Date-based count', () => {
  // The day count is integer arithmetic; JavaScript's own calendar is the reference here.
  const utcDay = (date: CalendarDate) => {
    const utc = new Date(0);
    utc.setUTCFullYear(date.year, date.month - 1, date.day);
    return Math.round(utc.getTime() / 86_400_000);
  };
  const calendarDate = fc
    .record({
      year: fc.integer({ min: 1, max: 9998 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .filter(
      ({ year, month, day }) => parseIsoDate(formatIsoDate({ year, month, day })) !== undefined,
    );

  it('for any birth date and any today from year 1 to 9998', () => {
    fc.assert(
      fc.property(calendarDate, calendarDate, (birth, today) => {
        const celebrate = (year: number): CalendarDate =>
          birth.month === 2 && birth.day === 29 && !isLeapYear(year)
            ? { year, month: 2, day: 28 }
            : { year, month: birth.month, day: birth.day };
        let next = celebrate(today.year);
        if (utcDay(next) < utcDay(today)) next = celebrate(today.year + 1);
        expect(daysUntilBirthday(birth, today)).toBe(utcDay(next) - utcDay(today));
      }),
      { numRuns: 2000 },
    );
  });
});
