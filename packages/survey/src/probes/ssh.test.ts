import { describe, expect, it } from 'vitest';
import { sshBatches } from './ssh.js';

describe('sshBatches', () => {
  it('groups pairs by user name, keeps dictionary order within a user, caps each connection', () => {
    const p = (id: string, username: string) => ({ id, username, password: id });
    const batches = sshBatches([p('1', 'root'), p('2', 'admin'), p('3', 'root'), p('4', 'root'), p('5', 'root'), p('6', 'admin')], 3);
    expect(batches.map((b) => b.map((x) => x.id))).toEqual([['1', '3', '4'], ['5'], ['2', '6']]);
  });
});
