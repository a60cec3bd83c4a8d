/**
 * TLS for ports configured as TLS (HTTPS admin pages on 443, 8443, …). The connector hands a
 * probe an already-connected TCP socket wrapped here, so probes read and write a TLS socket
 * exactly as they would a plain one, and every bound on the plain socket still holds.
 *
 * Devices present self-signed certificates, so the certificate is not verified: the survey
 * only records it (subject and issuer CN, SHA-256 fingerprint), which often names the model.
 * SNI is sent only for names: RFC 6066 §3 forbids literal addresses in server_name.
 */
import net from 'node:net';
import tls from 'node:tls';
import { MamoriError } from '@mamori/core';
import { ioTimeout } from '../protocol/io-timer.js';

/** Ports probed over TLS unless the survey says otherwise. */
export const DEFAULT_TLS_PORTS: readonly number[] = [443, 8443];

/** What a TLS service's certificate says about the device. */
export interface TlsCertificateInfo {
  subjectCN?: string;
  issuerCN?: string;
  /** SHA-256 of the DER certificate, colon-separated hex as node prints it. */
  sha256?: string;
}

/**
 * The TLS session over `socket` once its handshake is done, or MAMORI_SURVEY_CONNECT with a
 * `tls-` reason (timeout, or the handshake failed). The handshake must finish within `budgetMs`
 * — what the connect budget has left after the TCP connect — so a device that accepts TCP and then stalls the
 * handshake (a TLS tarpit) costs no more than a silent plain one. On failure the TCP socket
 * is destroyed, which releases the connector's slots.
 */
export async function secureSocket(socket: net.Socket, address: string, port: number, budgetMs: number): Promise<tls.TLSSocket> {
  const secure = tls.connect({
    socket,
    rejectUnauthorized: false,
    servername: net.isIP(address) ? undefined : address,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const cancel = ioTimeout(() => reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: 'tls-timeout' })), budgetMs);
      secure.once('secureConnect', () => { cancel(); resolve(); });
      secure.once('error', (e: NodeJS.ErrnoException) => {
        cancel();
        reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: `tls-${e.code ?? 'error'}` }));
      });
      secure.once('close', () => { cancel(); reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: 'tls-closed' })); });
    });
  } catch (e) {
    secure.destroy();
    socket.destroy();
    throw e;
  }
  secure.on('error', () => undefined); // later errors surface as 'close' to the probe
  certificates.set(secure, readCertificate(secure));
  return secure;
}

/**
 * Read once the handshake is done: a device that answers with `Connection: close` is gone by
 * the time the fingerprint is written, and a closed TLS socket no longer has its peer's certificate.
 */
const certificates = new WeakMap<net.Socket, TlsCertificateInfo>();

/** The certificate facts of a TLS socket from this module; undefined for a plain socket. */
export function certificateInfo(socket: net.Socket): TlsCertificateInfo | undefined {
  return certificates.get(socket);
}

function readCertificate(socket: tls.TLSSocket): TlsCertificateInfo {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return {};
  const cn = (name: unknown): string | undefined => {
    const v = (name as Record<string, string | string[]> | undefined)?.CN;
    return (Array.isArray(v) ? v[0] : v)?.slice(0, 200);
  };
  return { subjectCN: cn(cert.subject), issuerCN: cn(cert.issuer), sha256: cert.fingerprint256 };
}

/** A one-line banner for a certificate (reports and model naming read banners). */
export function certificateBanner(info: TlsCertificateInfo): string {
  return `TLS subject CN=${info.subjectCN ?? '-'} issuer CN=${info.issuerCN ?? '-'} sha256=${info.sha256 ?? '-'}`;
}
