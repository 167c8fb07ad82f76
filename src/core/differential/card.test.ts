import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from './card';

const shipped = JSON.parse(readFileSync(new URL('../../../models/smearcount-wbc.json', import.meta.url), 'utf8'));

describe('classifier card', () => {
  it('reads the embedding output and its size from the card', () => {
    const c = parseClassifierCard(shipped);
    expect(c.embedding?.name).toBe(shipped.embedding.name);
    expect(c.embedding?.dim).toBe(shipped.embedding.shape[1]);
    expect(c.logits).toBe('logits');
    // also as a list of outputs
    const listed = parseClassifierCard({ ...shipped, embedding: undefined, outputs: [{ name: 'logits', shape: ['N', 7] }, { name: 'embedding', shape: ['N', 64] }] });
    expect(listed.embedding).toEqual({ name: 'embedding', dim: 64 });
  });
  it('a card without an embedding: no adaptation; a bad shape is refused', () => {
    expect(parseClassifierCard({ ...shipped, embedding: undefined }).embedding).toBeNull();
    expect(() => parseClassifierCard({ ...shipped, embedding: { name: 'embedding', shape: ['N'] } })).toThrow(/shape/);
  });
});
