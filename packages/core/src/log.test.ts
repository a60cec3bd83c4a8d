import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskUrl } from './index.js';

describe('logging', () => {
  it('writes JSON lines and redacts secrets wherever they sit', async () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger({ level: 'info', pretty: false, destination, base: { run: 'r-1' } });
    log.info({ password: 'hunter2', user: { token: 'abc', name: 'sato' }, req: { headers: { authorization: 'Bearer xyz' } } }, 'login');
    log.flush();
    await new Promise((r) => setTimeout(r, 20));
    const entry = JSON.parse(lines.join(''));
    expect(entry).toMatchObject({ msg: 'login', run: 'r-1', password: '[redacted]', user: { token: '[redacted]', name: 'sato' }, req: { headers: { authorization: '[redacted]' } } });
    expect(lines.join('')).not.toMatch(/hunter2|abc|xyz/);
  });

  it('masks passwords in connection URLs', () => {
    expect(maskUrl('postgres://mamori:s3cret@db:5432/m')).toBe('postgres://mamori:***@db:5432/m');
    expect(maskUrl('::nonsense')).toBe('[unparseable url]');
  });
});
