import { capText, cleanDbText, cleanSubject, SUBJECT_MAX_CHARS, ticketTimeProblem, timeProblem } from '../../src/mapping/clean';
import { subjectOf } from '../../src/mapping/subject';
import { toTicketRow } from '../../src/mapping/ticket';
import { describeDataError, isConnectionLost, isDataError } from '../../src/db/errors';
import { adminComment, contact, conversation, part } from './fixtures';

const NOW = Date.UTC(2026, 10, 29);
const T0 = NOW / 1000 - 86_400 * 30;

describe('text Postgres accepts', () => {
  it('drops NUL and other control characters, keeps whitespace and every real character', () => {
    expect(cleanDbText('a\u0000b\u0001c\u007f\td\ne\u00e9\u{1F600}')).toBe('abc\td\ne\u00e9\u{1F600}');
  });

  it('turns a lone surrogate into U+FFFD and keeps pairs', () => {
    expect(cleanDbText('x\uD800y\uDC00z\uD83D\uDE00')).toBe('x\uFFFDy\uFFFDz\uD83D\uDE00');
  });

  it('caps without splitting a surrogate pair', () => {
    expect(capText('ab\uD83D\uDE00', 3)).toBe('ab');
    expect(capText('abc', 3)).toBe('abc');
  });

  it('a subject is cleaned, collapsed and capped; NULs alone count as absent and fall back to the title', () => {
    expect(cleanSubject('\u0000Refund \u0000 please\u0000')).toBe('Refund please');
    expect(cleanSubject(`Big ${'x'.repeat(10_000_000)}`)).toHaveLength(SUBJECT_MAX_CHARS);
    expect(cleanSubject('\u0000\u0000')).toBeNull();
    expect(subjectOf({ source: { subject: '\u0000' }, title: 'Title' })).toBe('Title');
  });
});

describe('times that can be true', () => {
  it('accepts 2000 to a day ahead, rejects the rest with the field and the value', () => {
    expect(timeProblem('created_at', new Date(NOW - 1000), NOW)).toBeNull();
    expect(timeProblem('created_at', new Date(Date.UTC(2000, 0, 1)), NOW)).toBeNull();
    expect(timeProblem('created_at', new Date(Date.UTC(1999, 11, 31)), NOW)).toMatch(/^created_at 946598400 .* before 2000-01-01$/);
    expect(timeProblem('updated_at', new Date(NOW + 2 * 86_400_000), NOW)).toMatch(/updated_at .* more than a day in the future/);
    expect(timeProblem('updated_at', new Date(NOW + 1500), NOW)).toMatch(/not a whole number of seconds/);
    expect(timeProblem('created_at', new Date(10_000_000_000_000 * 1000), NOW)).toMatch(/created_at is out of any representable range/);
  });

  it('checks every time of a ticket row and its status events', () => {
    const parts = [contact(T0 + 10), adminComment(T0 + 100), part({ id: 'p-close', part_type: 'close', created_at: T0 + 200 })];
    const good = toTicketRow('ws', conversation(parts, { created_at: T0, updated_at: T0 + 200 }), new Date(NOW));
    expect(ticketTimeProblem(good, NOW)).toBeNull();
    const badEvent = toTicketRow('ws', conversation([...parts, part({ id: 'p-late', part_type: 'close', created_at: 32_503_680_000 })], { created_at: T0, updated_at: T0 + 200 }), new Date(NOW));
    expect(ticketTimeProblem(badEvent, NOW)).toMatch(/status event p-late occurred_at 32503680000/);
  });
});

describe('what a failed statement says', () => {
  it('a terminated backend or a socket error is a lost connection; a pool checkout timeout and a data error are not', () => {
    expect(isConnectionLost(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionLost(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionLost(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLost(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isConnectionLost(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(false);
  });

  it('data exceptions, constraints and limits are data errors; unavailability, deadlocks and timeouts are not', () => {
    for (const code of ['22021', '22008', '23502', '54000']) expect(isDataError(Object.assign(new Error('x'), { code }))).toBe(true);
    for (const code of ['57P01', '08006', '40P01', '57014', '53300']) expect(isDataError(Object.assign(new Error('x'), { code }))).toBe(false);
    expect(isDataError(new RangeError('Invalid time value'))).toBe(true);
  });

  it('the reason keeps the SQLSTATE and identifiers but never a quoted value', () => {
    expect(describeDataError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe(
      'database refused the row (SQLSTATE 22021): invalid byte sequence for encoding "UTF8": 0x00',
    );
    expect(describeDataError(Object.assign(new Error('invalid input syntax for type integer: "my secret subject"'), { code: '22P02' }))).not.toContain('secret');
  });
});
