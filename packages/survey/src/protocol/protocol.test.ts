import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError } from '@mamori/core';
import { TelnetDecoder, TelnetNegotiator, IAC, DO, WILL, WONT, DONT, SB, SE } from './telnet-codec.js';
import { parseHttpHead, messageLength, messageBody, htmlTitle } from './http-response.js';
import { parseWwwAuthenticate } from './www-authenticate.js';
import { digestAuthorization, digestExpected } from './digest.js';

const mamoriOrResult = (f: () => unknown): void => {
  try {
    f();
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    expect(typeof e.details.offset === 'number' || typeof e.details.field === 'string').toBe(true);
  }
};

describe('TelnetDecoder', () => {
  it('separates data from commands across chunk boundaries', () => {
    const d = new TelnetDecoder();
    const a = d.decode(Uint8Array.of(IAC, WILL, 1, 0x6c, 0x6f, IAC));
    const b = d.decode(Uint8Array.of(IAC, 0x67, IAC, SB, 24, 1, IAC, IAC, IAC, SE, 0x3a));
    expect(a.data.toString('latin1')).toBe('lo');
    expect(a.commands).toEqual([{ kind: 'option', verb: 'WILL', option: 1 }]);
    expect(b.data.toString('latin1')).toBe('\xffg:');
    expect(b.commands).toEqual([{ kind: 'sub', option: 24, data: Uint8Array.of(1, IAC) }]);
  });

  it('bounds subnegotiation and names the offset', () => {
    const d = new TelnetDecoder(8);
    expect(() => d.decode(Uint8Array.of(IAC, SB, 24, ...new Array(9).fill(1)))).toThrow(expect.objectContaining({ code: 'MAMORI_SURVEY_TELNET_PROTOCOL' }));
  });

  it('fuzz: any bytes, any chunking → data and commands or a MamoriError', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const d = new TelnetDecoder(16);
      mamoriOrResult(() => { for (const c of chunks) d.decode(c); });
    }), { numRuns: 500 });
  });

  it('answers each option once: accepts ECHO/SGA from the server, refuses the rest', () => {
    const n = new TelnetNegotiator();
    expect(n.answer({ kind: 'option', verb: 'WILL', option: 1 })).toEqual(Uint8Array.of(IAC, DO, 1));
    expect(n.answer({ kind: 'option', verb: 'WILL', option: 1 })).toBeNull();
    expect(n.answer({ kind: 'option', verb: 'DO', option: 31 })).toEqual(Uint8Array.of(IAC, WONT, 31));
    expect(n.answer({ kind: 'option', verb: 'WILL', option: 5 })).toEqual(Uint8Array.of(IAC, DONT, 5));
  });

  it('answers a chunk of requests in one buffer, still once per option', () => {
    const n = new TelnetNegotiator();
    const opening = new TelnetDecoder().decode(Uint8Array.of(IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 31, IAC, DO, 24, 0x6c)).commands;
    expect(n.answerAll(opening)).toEqual(Uint8Array.of(IAC, DO, 1, IAC, DO, 3, IAC, WONT, 31, IAC, WONT, 24));
    expect(n.answerAll(opening)).toBeNull();
    expect(n.answerAll([{ kind: 'option', verb: 'WONT', option: 1 }])).toBeNull();
  });
});

describe('HTTP response parsing', () => {
  it('reads head, Content-Length and chunked bodies, and the title', () => {
    const raw = Buffer.from('HTTP/1.1 200 OK\r\nServer: thttpd\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n<title>\r\n9\r\nCam 1</ti\r\n3\r\ntle\r\n1\r\n>\r\n0\r\n\r\n');
    const head = parseHttpHead(raw)!;
    expect(head.status).toBe(200);
    expect(messageLength(head, raw)).toBe(raw.length);
    expect(htmlTitle(messageBody(head, raw))).toBe('Cam 1');
    const cl = Buffer.from('HTTP/1.0 401 Unauthorized\r\nContent-Length: 5\r\n\r\nabc');
    expect(messageLength(parseHttpHead(cl)!, cl)).toBeNull();
    expect(parseHttpHead(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBeNull();
    expect(() => parseHttpHead(Buffer.from('HTTP/1.1 200 OK\r\nbad line\r\n\r\n'))).toThrow(/offset 17/);
  });

  it('fuzz: random and mutated responses → a result or a MamoriError', () => {
    const base = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="a", nonce="b"\r\nContent-Length: 4\r\n\r\nbody';
    const mutated = fc.tuple(fc.nat(base.length - 1), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([at, bytes]) =>
      Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from(bytes), Buffer.from(base.slice(at + 1))]));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), mutated), (buf) => {
      mamoriOrResult(() => {
        const head = parseHttpHead(buf);
        if (head) { messageLength(head, buf); messageBody(head, buf); }
      });
    }), { numRuns: 1000 });
  });
});

describe('WWW-Authenticate', () => {
  it('parses several challenges with quoted and token values', () => {
    expect(parseWwwAuthenticate('Basic realm="Router \\"A\\"", Digest realm="cam", qop="auth,auth-int", algorithm=SHA-256, nonce="n1"')).toEqual([
      { scheme: 'basic', params: { realm: 'Router "A"' } },
      { scheme: 'digest', params: { realm: 'cam', qop: 'auth,auth-int', algorithm: 'SHA-256', nonce: 'n1' } },
    ]);
    expect(() => parseWwwAuthenticate('Digest realm="x')).toThrow(expect.objectContaining({ code: 'MAMORI_SURVEY_AUTH_HEADER' }));
  });

  it('fuzz: any string → challenges or a MamoriError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => mamoriOrResult(() => parseWwwAuthenticate(s))), { numRuns: 1000 });
  });
});

describe('Digest (RFC 7616 §3.9.1 example)', () => {
  const challenge = {
    scheme: 'digest',
    params: { realm: 'http-auth@example.org', qop: 'auth, auth-int', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS' },
  };
  const input = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  it('MD5', () => {
    expect(digestAuthorization({ ...input, challenge: { ...challenge, params: { ...challenge.params, algorithm: 'MD5' } } })).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
  });
  it('SHA-256', () => {
    expect(digestAuthorization({ ...input, challenge: { ...challenge, params: { ...challenge.params, algorithm: 'SHA-256' } } })).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });
  it('agrees with the server-side computation', () => {
    const params = { ...challenge.params, algorithm: 'MD5-sess', username: 'u', uri: '/', nc: '00000001', cnonce: 'c', qop: 'auth' };
    const header = digestAuthorization({ challenge: { scheme: 'digest', params: { ...challenge.params, algorithm: 'MD5-sess' } }, username: 'u', password: 'p', method: 'GET', uri: '/', nc: 1, cnonce: 'c' });
    expect(header).toContain(`response="${digestExpected(params, 'p', 'GET')}"`);
  });
});
