import { describe, expect, it } from 'vitest';
import { formatDuration, hours, minutes, parseDuration, seconds } from '../../sim/engine/index.ts';

describe('durations', () => {
  it('parses the forms scenario files use', () => {
    expect(parseDuration('90s')).toEqual({ ok: true, value: seconds(90) });
    expect(parseDuration('2h')).toEqual({ ok: true, value: hours(2) });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: minutes(90) });
    expect(parseDuration('250ms')).toEqual({ ok: true, value: 250_000 });
    expect(parseDuration('1.5d')).toEqual({ ok: true, value: hours(36) });
    expect(parseDuration(12)).toEqual({ ok: true, value: seconds(12) });
  });

  it('explains what is wrong with a bad duration', () => {
    for (const bad of ['', 'soon', '10', '5 parsecs', '-3s', 'h1']) {
      const result = parseDuration(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain('not a duration');
    }
    expect(parseDuration(-1).ok).toBe(false);
    expect(parseDuration(Number.NaN).ok).toBe(false);
  });

  it('formats compactly', () => {
    expect(formatDuration(hours(26) + seconds(5))).toBe('1d2h5s');
    expect(formatDuration(450_000)).toBe('450ms');
    expect(formatDuration(12)).toBe('12us');
  });
});
