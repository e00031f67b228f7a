import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRIORITY_CLASS,
  PRIORITY_CLASSES,
  isPriorityClassName,
  resolvePriority,
} from '../../sim/scheduler/index.ts';

describe('priority classes', () => {
  it('has the Run:ai values', () => {
    expect(PRIORITY_CLASSES).toEqual({
      'very-low': 25,
      low: 40,
      'medium-low': 65,
      medium: 80,
      'medium-high': 90,
      high: 125,
      'very-high': 150,
    });
  });

  it('defaults inference to very-high and non-preemptible', () => {
    expect(resolvePriority(DEFAULT_PRIORITY_CLASS.inference)).toEqual({
      className: 'very-high',
      priority: 150,
      preemptible: false,
    });
    expect(resolvePriority(DEFAULT_PRIORITY_CLASS.training).preemptible).toBe(true);
  });

  it('derives preemptibility from priority >= 100 unless it is explicit', () => {
    expect(resolvePriority('medium-high').preemptible).toBe(true);
    expect(resolvePriority('high').preemptible).toBe(false);
    expect(resolvePriority('very-high', 'preemptible').preemptible).toBe(true);
    expect(resolvePriority('low', 'non-preemptible').preemptible).toBe(false);
  });

  it('recognises class names only', () => {
    expect(isPriorityClassName('medium')).toBe(true);
    expect(isPriorityClassName('urgent')).toBe(false);
    expect(isPriorityClassName('toString')).toBe(false);
  });
});
