import { describe, expect, it } from 'vitest';
import { cornerRadius, ROUND_CLASSES, shapeWord } from './classMark';
import { CLASS_NAMES } from './classes';

describe("a class's shape beside its colour", () => {
  it('rounds a platelet box as far as it goes: a square box is a circle, an oblong one a pill', () => {
    expect(cornerRadius('Platelets', { x1: 10, y1: 10, x2: 30, y2: 30 })).toBe(10);
    expect(cornerRadius('Platelets', { x1: 0, y1: 0, x2: 40, y2: 16 })).toBe(8);
  });
  it('leaves red and white cells square', () => {
    expect(cornerRadius('RBC', { x1: 0, y1: 0, x2: 40, y2: 40 })).toBe(0);
    expect(cornerRadius('WBC', { x1: 0, y1: 0, x2: 80, y2: 80 })).toBe(0);
  });
  it('never gives a negative radius: an empty box, or one being drawn up and to the left', () => {
    expect(cornerRadius('Platelets', { x1: 5, y1: 5, x2: 5, y2: 5 })).toBe(0);
    expect(cornerRadius('Platelets', { x1: 10, y1: 9, x2: 4, y2: 5 })).toBe(2);
  });
  it('tells red cells from platelets, the pair deuteranopia confuses, and names each shape', () => {
    expect(ROUND_CLASSES.has('RBC')).not.toBe(ROUND_CLASSES.has('Platelets'));
    expect(CLASS_NAMES.map(shapeWord)).toEqual(['square', 'square', 'round']);
  });
});
