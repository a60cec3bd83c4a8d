/**
 * HTTP login probe: answers the realm's Basic or Digest (RFC 7616) challenge with each pair
 * on one keep-alive connection; a 2xx means the pair works.
 */
import { isMamoriError } from '@mamori/core';
import { parseWwwAuthenticate, type AuthChallenge } from '../protocol/www-authenticate.js';
import { digestAuthorization, digestSupported } from '../protocol/digest.js';
import type { CredentialPair } from '../credentials.js';
import type { LoginOutcome, ProbeContext } from './context.js';
import { HttpConnection, type HttpResponse } from './http-client.js';

/** The challenge to answer: Digest when offered in a form we speak (stronger evidence), else Basic. */
export function pickChallenge(res: HttpResponse): AuthChallenge | undefined {
  const all = (res.head.headers.get('www-authenticate') ?? []).flatMap((v) => {
    try {
      return parseWwwAuthenticate(v);
    } catch {
      return [];
    }
  });
  return all.find((c) => c.scheme === 'digest' && digestSupported(c)) ?? all.find((c) => c.scheme === 'basic');
}

/**
 * Tries the pairs over up to `lanes` keep-alive connections in parallel (the per-host
 * connection limit still applies in the connector); the first success stops every lane.
 */
export async function httpLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[], path = '/', lanes = ctx.connector.limits.perHostConnections): Promise<LoginOutcome> {
  let next = 0;
  let attempts = 0;
  let success: LoginOutcome['success'];
  let stopped: LoginOutcome['stopped'];
  const refused: string[] = [];
  const lane = async (): Promise<void> => {
    const conn = new HttpConnection(ctx, address, port);
    try {
      let res = await conn.request(path);
      let challenge = pickChallenge(res);
      if (res.head.status !== 401 || !challenge) { stopped ??= 'unsupported'; return; }
      let nc = 0;
      let lastRaw = res.head.headers.get('www-authenticate')?.join('\n');
      while (next < pairs.length && !success && !stopped) {
        if (!ctx.connector.spendAttempt(address)) { stopped = 'budget'; return; }
        const pair = pairs[next++];
        const authorization = challenge.scheme === 'basic'
          ? `Basic ${Buffer.from(`${pair.username}:${pair.password}`, 'utf8').toString('base64')}`
          : digestAuthorization({ challenge, username: pair.username, password: pair.password, method: 'GET', uri: path, nc: ++nc });
        attempts++;
        ctx.onAttempt();
        res = await conn.request(path, { Authorization: authorization });
        const status = res.head.status;
        if (status >= 200 && status < 300) {
          success ??= { credentialId: pair.id, method: challenge.scheme === 'basic' ? 'basic' : 'digest', at: Date.now() };
          return;
        }
        if (status === 403 || status === 423 || status === 429) { stopped = 'lockout'; return; }
        if (status !== 401) { stopped = 'unsupported'; return; }
        refused.push(pair.id);
        // Most devices repeat the same challenge on every 401: parse it only when it changed.
        const raw = res.head.headers.get('www-authenticate')?.join('\n');
        if (raw === lastRaw) continue;
        lastRaw = raw;
        const fresh = pickChallenge(res);
        if (fresh && fresh.scheme === challenge.scheme) {
          if (fresh.params.nonce !== challenge.params.nonce) nc = 0;
          challenge = fresh;
        }
      }
    } catch (e) {
      if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT') || isMamoriError(e, 'MAMORI_SURVEY_HTTP_PROTOCOL')) { stopped ??= 'unresponsive'; return; }
      throw e;
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, pairs.length)) }, lane));
  return success ? { attempts, success } : { attempts, stopped, refused };
}
