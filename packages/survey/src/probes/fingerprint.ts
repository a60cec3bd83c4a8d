/**
 * Discovery of one port: connect (a refused or silent port yields null), let the service
 * speak first (SSH version line, Telnet banner and prompt), else ask it over HTTP for its
 * Server header, page title and WWW-Authenticate realm. One connection, bounded in bytes
 * and time.
 */
import { isMamoriError } from '@mamori/core';
import { BoundedReader } from '../protocol/bounded-reader.js';
import { TelnetDecoder, TelnetNegotiator } from '../protocol/telnet-codec.js';
import { header, htmlTitle, messageBody, parseHttpHead } from '../protocol/http-response.js';
import type { ServiceRecord } from '../types.js';
import type { ProbeContext } from './context.js';
import { printable, promptLine, telnetState } from './telnet-text.js';
import { pickChallenge } from './http.js';
import type { AuthChallenge } from '../protocol/www-authenticate.js';
import { TELNET_MAX_BYTES, TELNET_MAX_COMMANDS } from './telnet.js';
import { certificateBanner, certificateInfo } from '../scope/tls.js';

/** Page titles that mark a management or monitoring screen (shown without login = a finding). */
const ADMIN_TITLE = /admin|management|setup|config|status|monitor|camera|dvr|nvr|router|gateway|dashboard|control panel|system/i;

/** A live connection the fingerprint leaves to the login probe (see `fingerprint`). */
export interface Handoff {
  reader?: BoundedReader;
  /** The HTTP authentication challenge the page answered with (the login probe starts from it). */
  challenge?: AuthChallenge;
}

/**
 * The service on an open port, or null when it could not be reached or said nothing before
 * hanging up. With `handoff`, a Telnet service left at its login prompt (nothing typed to
 * it yet) keeps its connection open in `handoff.reader`, so the login probe's first
 * attempts need no connection of their own; the caller must close it.
 */
export async function fingerprint(ctx: ProbeContext, address: string, port: number, handoff?: Handoff): Promise<ServiceRecord | null> {
  let socket;
  try {
    socket = await ctx.connector.connect(address, port);
  } catch (e) {
    if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) return null;
    throw e;
  }
  const raw: Buffer[] = [];
  let rawLength = 0;
  let telnetLike = false;
  const decoder = new TelnetDecoder();
  const negotiator = new TelnetNegotiator();
  let commands = 0;
  const reader = new BoundedReader(socket, {
    windowBytes: 8192,
    maxBytes: TELNET_MAX_BYTES,
    deadline: Date.now() + ctx.timeouts.connectionMs,
    transform: (chunk) => {
      if (rawLength < 32 * 1024) { raw.push(chunk); rawLength += chunk.length; }
      if (rawLength === chunk.length && chunk[0] === 0xff) telnetLike = true;
      if (!telnetLike) return chunk;
      const { data, commands: cmds } = decoder.decode(chunk);
      commands += cmds.length;
      if (commands > TELNET_MAX_COMMANDS) throw new Error('too many telnet commands');
      const replies = negotiator.answerAll(cmds);
      if (replies && !socket.destroyed) socket.write(replies);
      return data;
    },
  });
  const seenAt = Date.now();
  try {
    // Behind TLS, and on the usual web ports, it is web pages that are served: ask at once
    // instead of waiting for a banner; a Telnet that speaks first anyway is still caught by the
    // banner-after-GET path below.
    const bannerMs = certificateInfo(socket) || ctx.timeouts.webPorts.includes(port) ? 0 : ctx.timeouts.bannerMs;
    const first = await reader.waitFor((w) => (w.length > 0 ? true : undefined), bannerMs);
    const asTelnet = async (typed: boolean): Promise<ServiceRecord> => {
      const settled = await reader.waitFor(telnetState, ctx.timeouts.replyMs);
      const state = settled.kind === 'match' ? settled.value : undefined;
      if (handoff && !typed && (state === 'login' || state === 'password') && !reader.closed) {
        telnetLike = true; // from here on a Telnet conversation: options are decoded and answered
        raw.length = 0; // and raw bytes (kept for HTTP parsing) are no longer needed
        rawLength = Number.POSITIVE_INFINITY;
        handoff.reader = reader;
      }
      return {
        address, port, protocol: 'telnet',
        banner: printable(reader.window) || undefined,
        prompt: state && state !== 'lockout' ? promptLine(reader.window) : undefined,
        open: state === 'shell' ? true : undefined,
        seenAt,
      };
    };
    if (first.kind === 'match' || telnetLike || first.kind === 'overflow') {
      const text = reader.window;
      if (!telnetLike && text.startsWith('SSH-')) {
        await reader.waitFor((w) => (w.includes('\n') ? true : undefined), ctx.timeouts.replyMs);
        const version = printable(reader.window.split(/\r?\n/)[0], 255);
        return { address, port, protocol: 'ssh', sshVersion: version, banner: version, seenAt };
      }
      return await asTelnet(false);
    }
    // Hung up before a byte: no answer at all (an overloaded peer, or one out of sockets, does
    // exactly this), so the caller may try again rather than file the port as unknown.
    if (first.kind === 'closed') return reader.bytesReceived === 0 ? null : { address, port, protocol: 'unknown', seenAt };
    // Silent so far: perhaps a server that waits for a request.
    socket.write(`GET / HTTP/1.1\r\nHost: ${address}:${port}\r\nUser-Agent: mamori-survey\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    const got = await reader.waitFor((w) => (w.includes('\r\n\r\n') || w.length >= 4096 || telnetState(w) ? true : undefined), ctx.timeouts.replyMs);
    if (got.kind !== 'match' && reader.window.length === 0) return { address, port, protocol: 'unknown', seenAt };
    // A slow Telnet banner arrives while we were asking for HTTP: it is still Telnet.
    if (!reader.window.startsWith('HTTP/') && telnetState(reader.window)) return await asTelnet(true);
    const buf = Buffer.concat(raw);
    let head;
    try {
      head = parseHttpHead(buf);
    } catch {
      head = null;
    }
    if (!head) return { address, port, protocol: 'unknown', banner: printable(reader.window) || undefined, seenAt };
    // Give the body a moment to arrive for the title (bounded by the reply timeout).
    await reader.waitFor(() => (reader.closed ? true : undefined), Math.min(ctx.timeouts.replyMs, 1000));
    const body = messageBody(head, Buffer.concat(raw));
    const challenge = pickChallenge({ head, body });
    const title = htmlTitle(body);
    const record: ServiceRecord = {
      address, port, protocol: 'http',
      httpStatus: head.status,
      httpServer: header(head, 'server')?.slice(0, 200),
      title,
      seenAt,
    };
    const cert = certificateInfo(socket);
    if (cert) { record.tls = cert; record.banner = certificateBanner(cert); }
    if (head.status === 401 && challenge) {
      record.authScheme = challenge.scheme === 'digest' ? 'digest' : 'basic';
      if (handoff) handoff.challenge = challenge;
      record.realm = challenge.params.realm?.slice(0, 200);
    } else if (head.status >= 200 && head.status < 300 && title && ADMIN_TITLE.test(title)) {
      record.open = true;
    }
    return record;
  } finally {
    if (handoff?.reader !== reader) reader.close();
  }
}

/** A short model string for reports: the most specific thing the device said about itself. */
export function modelOf(s: ServiceRecord): string | undefined {
  return (s.title ?? s.realm ?? s.httpServer ?? s.tls?.subjectCN ?? s.sshVersion ?? s.banner)?.slice(0, 120);
}
