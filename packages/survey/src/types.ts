/** The records a survey produces. None of them ever holds a password: only dictionary ids. */
import type { TlsCertificateInfo } from './scope/tls.js';

export type SurveyProtocol = 'telnet' | 'ssh' | 'http' | 'unknown';

/** `weak-credential`: a dictionary pair logged in. `no-auth`: a shell or admin page with no login at all. */
export type FindingType = 'weak-credential' | 'no-auth';

export type AuthMethod = 'telnet-login' | 'password' | 'keyboard-interactive' | 'basic' | 'digest' | 'none';

/** An open port and what it said about itself. */
export interface ServiceRecord {
  address: string;
  port: number;
  protocol: SurveyProtocol;
  /** First printable text the service sent (Telnet banner, SSH version line), ≤ 512 chars. */
  banner?: string;
  /** Telnet: the prompt line it stopped at (`login:`, `Password:`, a shell prompt). */
  prompt?: string;
  sshVersion?: string;
  httpStatus?: number;
  httpServer?: string;
  title?: string;
  /** HTTP: `basic`, `digest` or undefined when the page needs no credential. */
  authScheme?: 'basic' | 'digest';
  realm?: string;
  /** HTTPS: the certificate the device presented (not verified; it often names the model). */
  tls?: TlsCertificateInfo;
  /** The service needed no credential (a Telnet shell, an open admin page). */
  open?: boolean;
  seenAt: number;
}

export interface Finding {
  runId: string;
  address: string;
  port: number;
  protocol: SurveyProtocol;
  type: FindingType;
  /** Dictionary id of the pair that worked; undefined for `no-auth`. */
  credentialId?: string;
  method: AuthMethod;
  /** When the login (or the open page) was observed: the evidence time reported to ISPs. */
  evidenceAt: number;
  banner?: string;
  model?: string;
}

/** What `flows` and `supply` read: devices known to be weak, with whatever identifies their model. */
export interface WeakDevice {
  address: string;
  port: number;
  protocol: SurveyProtocol;
  type: FindingType;
  banner?: string;
  model?: string;
  asn?: number;
  isp?: string;
  firstSeen: number;
  lastSeen: number;
}
