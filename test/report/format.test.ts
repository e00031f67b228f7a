import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatGpus,
  formatPercent,
  formatRate,
  formatWallSeconds,
  timeAxisUnit,
} from '../../src/report/format.ts';

describe('report number formatting', () => {
  it('writes durations as their two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(0.04)).toBe('<0.1s');
    expect(formatDuration(2.46)).toBe('2.5s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(59.7)).toBe('1m');
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(3_780)).toBe('1h 3m');
    expect(formatDuration(3_789)).toBe('1h 3m');
    expect(formatDuration(7_200)).toBe('2h');
    expect(formatDuration(187_200)).toBe('2d 4h');
    expect(formatDuration(86_400 + 60)).toBe('1d');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('writes GPUs with at most one decimal, counts and rates with thousands separators', () => {
    expect(formatGpus(12)).toBe('12');
    expect(formatGpus(12.34)).toBe('12.3');
    expect(formatGpus(12.96)).toBe('13');
    expect(formatGpus(0.25)).toBe('0.3');
    expect(formatGpus(1024)).toBe('1,024');
    expect(formatCount(1_234_567.8)).toBe('1,234,568');
    expect(formatRate(94.94)).toBe('94.9');
    expect(formatRate(12_345.6)).toBe('12,346');
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(1, 0)).toBe('–');
    expect(formatWallSeconds(0.4213)).toBe('421 ms');
    expect(formatWallSeconds(12.345)).toBe('12.35 s');
  });

  it('picks a time axis unit that keeps tick labels short', () => {
    expect(timeAxisUnit(120).label).toBe('seconds');
    expect(timeAxisUnit(3_600).label).toBe('minutes');
    expect(timeAxisUnit(6 * 3_600).label).toBe('hours');
    expect(timeAxisUnit(7 * 86_400).label).toBe('days');
  });
});
