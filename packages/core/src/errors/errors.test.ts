import { describe, expect, it } from 'vitest';
import { MamoriError, errorCatalogue, isMamoriError } from '../index.js';

describe('MamoriError', () => {
  it('renders its message from the catalogue and carries offset/field', () => {
    const e = new MamoriError('MAMORI_IP_INVALID', { input: '1.2.3', offset: 4 });
    expect(e.message).toBe('not a valid IP address or prefix: "1.2.3" (at byte offset 4)');
    expect(e.status).toBe(400);
    expect(e.toJSON()).toEqual({ code: 'MAMORI_IP_INVALID', message: e.message, details: { input: '1.2.3', offset: 4 } });
    expect(isMamoriError(e, 'MAMORI_IP_INVALID')).toBe(true);
    expect(isMamoriError(e, 'MAMORI_USAGE')).toBe(false);
    expect(isMamoriError(new Error('x'))).toBe(false);
  });

  it('keeps every code in one catalogue with a status', () => {
    for (const [code, spec] of Object.entries(errorCatalogue)) {
      expect(code).toMatch(/^MAMORI_[A-Z0-9_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.message.length).toBeGreaterThan(0);
    }
  });
});
