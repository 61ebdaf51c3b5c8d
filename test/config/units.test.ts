import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { privateHostname, publicHostname, regionOfZone, zoneIdFor } from '../../src/config/derive-names.js';
import { formatDuration, parseDuration, parsePositiveDuration } from '../../src/duration.js';
import { formatKeyPath } from '../../src/config/problem.js';
import { suggest } from '../../src/config/suggest.js';
import { formatTimestamp, parseTimestamp } from '../../src/config/timestamp.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['1.5s', 1_500],
    [90, 90_000],
    ['120', 120_000],
    [0, 0],
  ] as const)('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['2 minutes', '', '-1s', '1x', 'm', '1h 30m', -5, Number.NaN, true, null])(
    '%s is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('formatting and parsing are inverse for whole milliseconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (ms) => parseDuration(formatDuration(ms)) === ms,
      ),
    );
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1s500ms');
  });

  it('timeouts and intervals take the same grammar, longer than zero', () => {
    expect(parsePositiveDuration('1h')).toBe(3_600_000);
    expect(parsePositiveDuration('2')).toBe(2_000);
    expect(parsePositiveDuration('0s')).toBeUndefined();
    expect(parsePositiveDuration(0)).toBeUndefined();
    expect(parsePositiveDuration('soon')).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('need a zone', () => {
    expect(parseTimestamp('2024-03-01T09:00:00Z')).toBe(Date.UTC(2024, 2, 1, 9));
    expect(parseTimestamp('2024-03-01T18:00:00+09:00')).toBe(Date.UTC(2024, 2, 1, 9));
    expect(parseTimestamp('2024-03-01T09:00:00')).toBeUndefined();
    expect(parseTimestamp('2024-03-01')).toBeUndefined();
    expect(parseTimestamp('2024-13-01T09:00:00Z')).toBeUndefined();
    expect(formatTimestamp(Date.UTC(2024, 2, 1, 9))).toBe('2024-03-01T09:00:00Z');
  });
});

describe('did you mean', () => {
  it('suggests close words only', () => {
    expect(suggest('httpToken', ['httpTokens', 'httpEndpoint'])).toBe('httpTokens');
    expect(suggest('instanceTpye', ['instanceType', 'instanceId'])).toBe('instanceType');
    expect(suggest('ratepersecond', ['ratePerSecond', 'burst'])).toBe('ratePerSecond');
    expect(suggest('colour', ['port', 'host'])).toBeUndefined();
    expect(suggest('port', ['port'])).toBeUndefined();
  });

  it('key paths read like code', () => {
    expect(formatKeyPath(['scenarios', 0, 'action'])).toBe('scenarios[0].action');
    expect(formatKeyPath(['instance', 'tags', 'team/name'])).toBe('instance.tags["team/name"]');
    expect(formatKeyPath([])).toBe('(top level)');
  });
});

describe('derived names', () => {
  it('follow EC2 naming', () => {
    expect(privateHostname('10.1.2.3', 'us-east-1')).toBe('ip-10-1-2-3.ec2.internal');
    expect(privateHostname('10.1.2.3', 'eu-west-1')).toBe('ip-10-1-2-3.eu-west-1.compute.internal');
    expect(publicHostname('3.4.5.6', 'us-east-1')).toBe('ec2-3-4-5-6.compute-1.amazonaws.com');
    expect(publicHostname('3.4.5.6', 'ap-northeast-1')).toBe(
      'ec2-3-4-5-6.ap-northeast-1.compute.amazonaws.com',
    );
    expect(zoneIdFor('ap-northeast-1c', 'ap-northeast-1')).toBe('apne1-az3');
    expect(zoneIdFor('eu-central-1a', 'eu-central-1')).toBe('euc1-az1');
    expect(zoneIdFor('ap-southeast-2b', 'ap-southeast-2')).toBe('apse2-az2');
    expect(regionOfZone('us-west-2d')).toBe('us-west-2');
  });
});
