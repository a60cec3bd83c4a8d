import { describe, expect, it } from 'vitest';
import { defaultDictionary, parseDictionary } from './credentials.js';

describe('credential dictionary', () => {
  it('ships the Mirai defaults with stable, unique ids', () => {
    const d = defaultDictionary();
    expect(d.version).toBe(1);
    expect(d.pairs.length).toBe(60);
    expect(d.pairs[0]).toMatchObject({ id: 'mirai-001', username: 'root', password: 'xc3511' });
    expect(d.pairs.find((p) => p.id === 'mirai-012')).toMatchObject({ username: 'root', password: '' });
    expect(new Set(d.pairs.map((p) => p.id)).size).toBe(60);
  });

  it('names the field at fault', () => {
    const ok = { format: 'mamori-survey-credentials', version: 1, pairs: [{ id: 'a', username: 'u', password: 'p' }] };
    expect(parseDictionary(ok).pairs).toHaveLength(1);
    expect(() => parseDictionary({ ...ok, pairs: [ok.pairs[0], ok.pairs[0]] })).toThrow(/pairs\[1\]\.id/);
    expect(() => parseDictionary({ ...ok, pairs: [{ id: 'b', username: 'u\n', password: 'p' }] })).toThrow(/pairs\[0\]\.username/);
    expect(() => parseDictionary({ ...ok, version: 0 })).toThrow(/version/);
  });
});
