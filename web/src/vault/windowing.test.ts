import { describe, expect, it } from 'vitest';
import { scrollToShow, windowOf } from './windowing';

describe('windowOf', () => {
  it('draws the rows in view and the overscan, never past the ends', () => {
    expect(windowOf(0, 560, 56, 100000, 8)).toEqual({ start: 0, end: 19 });
    expect(windowOf(56 * 50000, 560, 56, 100000, 8)).toEqual({ start: 49992, end: 50019 });
    expect(windowOf(56 * 99995, 560, 56, 100000, 8).end).toBe(100000);
  });
  it('draws nothing for nothing', () => {
    expect(windowOf(0, 560, 56, 0)).toEqual({ start: 0, end: 0 });
  });
  it('survives a scroll position past the end (a list that shrank)', () => {
    const w = windowOf(56 * 1000, 560, 56, 10, 2);
    expect(w.start).toBeLessThan(10);
    expect(w.end).toBe(10);
  });
});

describe('scrollToShow', () => {
  it('moves the least that shows the row', () => {
    expect(scrollToShow(5, 0, 560, 56)).toBe(0); // in view
    expect(scrollToShow(20, 0, 560, 56)).toBe(21 * 56 - 560); // below
    expect(scrollToShow(2, 560, 560, 56)).toBe(112); // above
  });
});
