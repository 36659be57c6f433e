import { describe, expect, it } from 'vitest';
import { normalizeEmail, reviewLead } from '../../functions/src/leads/review';
import { hotkey } from '../support/hotkeys';

const SOURCE = hotkey(1);
const EMAIL = 'ada@example.com';
const NOT_PLAUSIBLE = 'email is not a plausible address';

describe('reviewLead', () => {
  it.each([
    { case: 'a valid lead', data: { source: SOURCE, email: EMAIL } },
    { case: 'a source under another SS58 prefix', data: { source: hotkey(1, 0), email: EMAIL } },
    { case: 'an email with surrounding spaces', data: { source: SOURCE, email: `  ${EMAIL}\n` } },
    { case: 'a subdomain and a +tag', data: { source: SOURCE, email: 'a+b@mail.example.co.uk' } },
    {
      case: 'an email of exactly 254 characters',
      data: { source: SOURCE, email: `${'a'.repeat(64)}@${'b'.repeat(185)}.com` },
    },
  ])('accepts $case', ({ data }) => {
    expect(reviewLead(data)).toEqual({ status: 'accepted' });
  });

  it.each([
    { case: 'no source', data: { email: EMAIL }, reason: 'missing source' },
    { case: 'a null source', data: { source: null, email: EMAIL }, reason: 'missing source' },
    { case: 'an empty source', data: { source: '', email: EMAIL }, reason: 'missing source' },
    {
      case: 'a source that is not SS58',
      data: { source: 'not-a-hotkey', email: EMAIL },
      reason: 'source is not an SS58 address',
    },
    {
      case: 'a numeric source',
      data: { source: 42, email: EMAIL },
      reason: 'source is not an SS58 address',
    },
    {
      case: 'a source with a broken checksum',
      data: { source: `${SOURCE.slice(0, -1)}${SOURCE.endsWith('a') ? 'b' : 'a'}`, email: EMAIL },
      reason: 'source is not an SS58 address',
    },
    { case: 'no email', data: { source: SOURCE }, reason: 'missing email' },
    { case: 'an empty email', data: { source: SOURCE, email: '' }, reason: 'missing email' },
    { case: 'a numeric email', data: { source: SOURCE, email: 7 }, reason: NOT_PLAUSIBLE },
    { case: 'a blank email', data: { source: SOURCE, email: '   ' }, reason: NOT_PLAUSIBLE },
    { case: 'no @', data: { source: SOURCE, email: 'ada.example.com' }, reason: NOT_PLAUSIBLE },
    { case: 'two @', data: { source: SOURCE, email: 'a@b@example.com' }, reason: NOT_PLAUSIBLE },
    {
      case: 'no local part',
      data: { source: SOURCE, email: '@example.com' },
      reason: NOT_PLAUSIBLE,
    },
    {
      case: 'no dot in the domain',
      data: { source: SOURCE, email: 'a@localhost' },
      reason: NOT_PLAUSIBLE,
    },
    { case: 'an empty domain', data: { source: SOURCE, email: 'a@' }, reason: NOT_PLAUSIBLE },
    {
      case: 'a trailing dot',
      data: { source: SOURCE, email: 'a@example.' },
      reason: NOT_PLAUSIBLE,
    },
    { case: 'a leading dot', data: { source: SOURCE, email: 'a@.com' }, reason: NOT_PLAUSIBLE },
    { case: 'an empty label', data: { source: SOURCE, email: 'a@x..com' }, reason: NOT_PLAUSIBLE },
    {
      case: 'a space inside',
      data: { source: SOURCE, email: 'a b@example.com' },
      reason: NOT_PLAUSIBLE,
    },
    {
      case: 'a tab inside',
      data: { source: SOURCE, email: 'a@exa\tmple.com' },
      reason: NOT_PLAUSIBLE,
    },
    {
      case: 'an email of 255 characters',
      data: { source: SOURCE, email: `${'a'.repeat(65)}@${'b'.repeat(185)}.com` },
      reason: NOT_PLAUSIBLE,
    },
    {
      case: 'a Gmail local part that is only a +tag',
      data: { source: SOURCE, email: '+promo@gmail.com' },
      reason: NOT_PLAUSIBLE,
    },
    {
      case: 'a bad source and a bad email (the source is checked first)',
      data: { source: 'x', email: 'y' },
      reason: 'source is not an SS58 address',
    },
  ])('rejects $case', ({ data, reason }) => {
    expect(reviewLead(data)).toEqual({ status: 'rejected', review_reason: reason });
  });

  it('rejects a duplicate, naming the earlier lead', () => {
    expect(reviewLead({ source: SOURCE, email: EMAIL }, 'lead-7')).toEqual({
      status: 'rejected',
      review_reason: 'duplicate of lead lead-7',
    });
  });

  it('gives an invalid lead its own reason rather than the duplicate one', () => {
    expect(reviewLead({ source: SOURCE, email: 'nope' }, 'lead-7')).toEqual({
      status: 'rejected',
      review_reason: NOT_PLAUSIBLE,
    });
  });

  it('never puts the email address in a reason', () => {
    const email = 'private.person@example.com';
    for (const data of [
      { email },
      { source: 'x', email },
      { source: SOURCE, email: `${email}@` },
    ]) {
      const review = reviewLead(data);
      expect(review.status).toBe('rejected');
      expect(JSON.stringify(review)).not.toContain('private');
    }
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['Ada@Example.COM', 'ada@example.com'],
    ['  ada@example.com \n', 'ada@example.com'],
    // Dots and +tags are kept where the provider may treat them as part of the mailbox.
    ['a.d.a+news@example.com', 'a.d.a+news@example.com'],
    ['A.Lovelace@gmail.com', 'alovelace@gmail.com'],
    ['a.lovelace+leads@gmail.com', 'alovelace@gmail.com'],
    ['alovelace+a+b@Gmail.com', 'alovelace@gmail.com'],
    ['A.Lovelace+x@GoogleMail.com', 'alovelace@gmail.com'],
    ['a.lovelace@gmail.com.evil.example', 'a.lovelace@gmail.com.evil.example'],
    ['a.lovelace@mail.gmail.com', 'a.lovelace@mail.gmail.com'],
    ['no-at-sign', 'no-at-sign'],
  ])('normalises %j to %j', (email, expected) => {
    expect(normalizeEmail(email)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const email of ['A.B+c@gmail.com', 'X.Y+z@Example.org']) {
      expect(normalizeEmail(normalizeEmail(email))).toBe(normalizeEmail(email));
    }
  });
});
