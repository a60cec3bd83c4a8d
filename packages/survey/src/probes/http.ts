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

/** Requests in a lane's first pipelined write (later writes double up to `ctx.httpPipeline`). */
const FIRST_DEPTH = 4;

/**
 * Tries the pairs over up to `lanes` keep-alive connections in parallel (the per-host
 * connection limit still applies in the connector), each sending up to `ctx.httpPipeline`
 * attempts per write (4 at first, doubling while the server answers every one); the first success stops every lane. Lanes start from the challenge the
 * fingerprint saw (`known`) when given one. A lane whose server did not answer
 * a whole batch sends the unanswered pairs again one at a time. Every request sent spends
 * one attempt of the host's budget, answered or not, so pipelining never exceeds it.
 */
export async function httpLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[], path = '/', lanes = ctx.connector.limits.perHostConnections, known?: AuthChallenge): Promise<LoginOutcome> {
  const queue = [...pairs];
  let attempts = 0;
  let success: LoginOutcome['success'];
  let stopped: LoginOutcome['stopped'];
  const refused: string[] = [];
  const lane = async (): Promise<void> => {
    const conn = new HttpConnection(ctx, address, port);
    // Start shallow and double after each batch answered in full, up to `httpPipeline`: fewer
    // writes (the syscalls are most of an attempt's CPU) without many requests sent past an
    // early success.
    const maxDepth = Math.max(1, ctx.httpPipeline);
    let depth = Math.min(FIRST_DEPTH, maxDepth);
    try {
      // The challenge the fingerprint saw, else one asked for now. (A Digest nonce gone stale
      // meanwhile is answered with stale=true, and the pair sent again.)
      let challenge = known;
      let lastRaw: string | undefined;
      if (!challenge) {
        const res = await conn.request(path);
        challenge = pickChallenge(res);
        if (res.head.status !== 401 || !challenge) { stopped ??= 'unsupported'; return; }
        lastRaw = res.head.headers.get('www-authenticate')?.join('\n');
      }
      let nc = 0;
      let stale = false;
      while (queue.length && !success && !stopped) {
        const batch: CredentialPair[] = [];
        const headerSets: Record<string, string>[] = [];
        while (batch.length < depth && queue.length) {
          if (!ctx.connector.spendAttempt(address)) { stopped = 'budget'; break; }
          const pair = queue.shift()!;
          batch.push(pair);
          headerSets.push({ Authorization: challenge.scheme === 'basic'
            ? `Basic ${Buffer.from(`${pair.username}:${pair.password}`, 'utf8').toString('base64')}`
            : digestAuthorization({ challenge, username: pair.username, password: pair.password, method: 'GET', uri: path, nc: ++nc }) });
          attempts++;
          ctx.onAttempt();
        }
        if (!batch.length) return;
        const answers = await conn.pipeline(path, headerSets);
        // Pairs to send again: those the server did not answer (it does not pipeline, or hung
        // up; from now on one per request) and those answered with a stale nonce.
        const again = batch.slice(answers.length);
        if (again.length) depth = 1;
        else if (depth > 1) depth = Math.min(maxDepth, depth * 2);
        for (let i = 0; i < answers.length; i++) {
          const pair = batch[i];
          const res = answers[i];
          const status = res.head.status;
          if (status >= 200 && status < 300) {
            // In a pipelined write an answer belongs to its pair only by position: a device
            // that answers some request twice shifts a 2xx onto the wrong pair. Confirm alone.
            if (batch.length > 1) {
              const alone = await confirmAlone(ctx, conn, path, pair);
              if (alone === 'budget') { stopped = 'budget'; return; }
              attempts++;
              if (!alone) {
                // Its later answers are as suspect: those pairs go again, one per request.
                depth = 1;
                refused.push(pair.id);
                again.push(...batch.slice(i + 1, answers.length));
                break;
              }
            }
            success ??= { credentialId: pair.id, method: challenge.scheme === 'basic' ? 'basic' : 'digest', at: Date.now() };
            return;
          }
          if (status === 403 || status === 423 || status === 429) { stopped = 'lockout'; return; }
          if (status !== 401) { stopped = 'unsupported'; return; }
          // Most devices repeat the same challenge on every 401: parse it only when it changed.
          const raw = res.head.headers.get('www-authenticate')?.join('\n');
          if (raw !== lastRaw) {
            lastRaw = raw;
            const fresh = pickChallenge(res);
            stale = fresh?.scheme === 'digest' && /^true$/i.test(fresh.params.stale ?? '');
            if (fresh && fresh.scheme === challenge.scheme) {
              if (fresh.params.nonce !== challenge.params.nonce) nc = 0;
              challenge = fresh;
            }
          }
          // A stale nonce (RFC 7616 §3.3) says the password was never checked: try the pair again.
          if (stale) again.push(pair);
          else refused.push(pair.id);
        }
        queue.unshift(...again);
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

/**
 * One pair on a fresh connection (the lane's own, reopened: the per-host connection limit
 * stands), one request at a time, the challenge asked for afresh so a Digest nonce is
 * current: true when the device accepts it. Spends one attempt.
 */
async function confirmAlone(ctx: ProbeContext, conn: HttpConnection, path: string, pair: CredentialPair): Promise<boolean | 'budget'> {
  if (!ctx.connector.spendAttempt(conn.address)) return 'budget';
  ctx.onAttempt();
  conn.close();
  try {
    const challenge = pickChallenge(await conn.request(path));
    if (!challenge) return false;
    const authorization = challenge.scheme === 'basic'
      ? `Basic ${Buffer.from(`${pair.username}:${pair.password}`, 'utf8').toString('base64')}`
      : digestAuthorization({ challenge, username: pair.username, password: pair.password, method: 'GET', uri: path, nc: 1 });
    const res = await conn.request(path, { Authorization: authorization });
    return res.head.status >= 200 && res.head.status < 300;
  } catch (e) {
    if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT') || isMamoriError(e, 'MAMORI_SURVEY_HTTP_PROTOCOL')) return false;
    throw e;
  }
}
