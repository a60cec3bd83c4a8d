/**
 * WWW-Authenticate challenges (RFC 9110 §11.6.1): `Basic realm="x"`,
 * `Digest realm="x", nonce="…", qop="auth", algorithm=SHA-256`. Pure; a malformed header is
 * a MamoriError naming the character offset.
 */
import { MamoriError } from '@mamori/core';

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

export function parseWwwAuthenticate(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new MamoriError('MAMORI_SURVEY_AUTH_HEADER', { reason, offset: i });
  };
  const skipWs = (): void => { while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++; };
  const token = (): string | null => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(value);
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  while (i < value.length) {
    skipWs();
    if (value[i] === ',') { i++; continue; }
    if (i >= value.length) break;
    const scheme = token() ?? fail('expected an auth scheme');
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skipWs();
      const save = i;
      const name = token();
      if (name === null) break;
      skipWs();
      if (value[i] !== '=') {
        // Either the next challenge's scheme or a token68 (Basic's credentials form): rewind.
        i = save;
        if (Object.keys(challenge.params).length === 0) {
          TOKEN68.lastIndex = i;
          const m = TOKEN68.exec(value);
          if (m && (i + m[0].length === value.length || value[i + m[0].length] === ',')) { i += m[0].length; challenge.params.token68 = m[0]; }
        }
        break;
      }
      i++;
      skipWs();
      let v: string;
      if (value[i] === '"') {
        i++;
        let s = '';
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < value.length) i++;
          s += value[i++];
        }
        if (value[i] !== '"') fail('unterminated quoted string');
        i++;
        v = s;
      } else {
        v = token() ?? fail('expected a parameter value');
      }
      challenge.params[name.toLowerCase()] = v;
      skipWs();
      if (value[i] === ',') i++;
      else if (i < value.length) fail('expected "," between parameters');
    }
  }
  return out;
}
