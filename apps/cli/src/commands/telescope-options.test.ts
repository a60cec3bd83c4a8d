import { describe, expect, it } from 'vitest';
import { isMamoriError, loadConfig } from '@mamori/core';
import { telescopeConfig } from '@mamori/telescope';
import { analysisOptions } from './telescope-options.js';

const flags = { bucket: '1m', sources: true };

describe('telescope analysis options from [telescope] and flags', () => {
  it('takes darknet and research prefixes from the configuration (array or environment text)', () => {
    const fromFile = telescopeConfig({ ...loadConfig({ env: {} }), telescope: { darknet: ['10.20.0.0/16', '2001:db8:da00::/48'], research: ['192.0.2.0/24'] } });
    const a = analysisOptions('c.pcap', flags, fromFile);
    expect(a.darknet?.hasV4(0x0a140001)).toBe(true);
    expect(a.darknet?.hasV4(0x0a150001)).toBe(false);
    expect(a.research?.hasV4(0xc0000205)).toBe(true);

    const fromEnv = telescopeConfig(loadConfig({ env: { MAMORI_TELESCOPE__DARKNET: '198.51.100.0/24, 203.0.113.0/24' } }));
    const b = analysisOptions('c.pcap', flags, fromEnv);
    expect(b.darknet?.hasV4(0xcb007101)).toBe(true);
    expect(b.research).toBeNull();
  });

  it('lets a flag replace its key', () => {
    const settings = { darknet: '10.20.0.0/16', research: '192.0.2.0/24' };
    const a = analysisOptions('c.pcap', { ...flags, darknet: '198.51.100.0/24', research: '203.0.113.0/24' }, settings);
    expect(a.darknet?.hasV4(0x0a140001)).toBe(false);
    expect(a.darknet?.hasV4(0xc6336401)).toBe(true);
    expect(a.research?.hasV4(0xc0000201)).toBe(false);
  });

  it('names the key or the flag of a bad prefix', () => {
    const bad = (f: () => unknown): string => {
      try { f(); } catch (e) { if (isMamoriError(e)) return e.message; throw e; }
      return 'no error';
    };
    expect(bad(() => analysisOptions('c.pcap', flags, { darknet: '10.20.0.0/33' }))).toContain('telescope.darknet');
    expect(bad(() => analysisOptions('c.pcap', { ...flags, darknet: 'nope' }, {}))).toContain('--darknet');
  });
});
