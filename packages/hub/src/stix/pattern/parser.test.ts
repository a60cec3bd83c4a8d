import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError } from '@mamori/core';
import { comparisonsOf, parsePattern } from './parser.js';

// Patterns from the STIX 2.1 specification, part 9 examples.
const VALID = [
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']",
  "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
  "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
  "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar'] WITHIN 300 SECONDS",
  "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
  "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
  "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul']",
  "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
  "[file:name MATCHES '^Final Report.+\\\\.exe$']",
  "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
  "[file:size > 1024 AND file:size <= 4096] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
  "[x509-certificate:hashes.'SHA-1' = 'abc' AND x509-certificate:serial_number NOT IN ('1', '2')]",
  "[file:extensions.'windows-pebinary-ext'.sections[2].entropy >= 7.5]",
  "[network-traffic:dst_port IN (23, 2323, 80)] /* mirai */ AND [file:name LIKE 'mirai%']",
  "[artifact:payload_bin = b'VGhpcyBpcyBhIHRlc3Q=' OR artifact:payload_bin = h'00ff']",
];

const INVALID: [string, RegExp][] = [
  ['', /empty pattern/],
  ['[file:name = ', /expected a literal/],
  ["[file:name = 'foo'", /expected '\]'/],
  ["[file:name == 'a' AND ipv4-addr:value = '1.2.3.4']", /one object type/],
  ["[File:name = 'x']", /not a valid object type/],
  ["[file:name LIKE 5]", /needs a string literal/],
  ["[file:size > true]", /orderable/],
  ["[file:name = 'x'] WITHIN 0 SECONDS", /positive number/],
  ["[file:name = 'x'] REPEATS 1.5 TIMES", /positive integer/],
  ["[file:name = 'x'] START t'2020-01-02T00:00:00Z' STOP t'2020-01-01T00:00:00Z'", /earlier than STOP/],
  ["[file:name = 'x'] START t'2020-02-30T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", /valid STIX timestamp/],
  ["[file:name = 'x\\q']", /bad escape/],
  ["[file:name = h'abc']", /pairs of hex/],
  ["[file:name = 'x'] [file:name = 'y']", /after the end/],
  ["[file:name = 'x'] # ", /unexpected character/],
  ["[file:name NOT = 'x']", /comparison operator/],
];

describe('STIX pattern grammar', () => {
  it.each(VALID)('accepts %s', (p) => {
    expect(() => parsePattern(p)).not.toThrow();
  });

  it.each(INVALID)('rejects %j with an offset', (p, reason) => {
    try {
      parsePattern(p);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_HUB_STIX_PATTERN')).toBe(true);
      expect((e as Error).message).toMatch(reason);
      expect(typeof (e as any).details.offset).toBe('number');
    }
  });

  it('builds the tree: precedence FOLLOWEDBY < OR < AND, qualifiers attach to observations', () => {
    const ast = parsePattern("[a-b:x = 1] AND [a-b:y = 2] OR [c-d:z = 'q'] FOLLOWEDBY [e-f:w = 3] WITHIN 5 SECONDS");
    expect(ast.kind).toBe('followedby');
    if (ast.kind === 'observation') throw new Error('unreachable');
    expect(ast.operands[0].kind).toBe('or');
    expect(ast.operands[1]).toMatchObject({ kind: 'observation', qualifiers: [{ kind: 'within', seconds: 5 }] });
    const cs = comparisonsOf(ast).map((c) => `${c.path.objectType}:${c.path.steps.join('.')}`);
    expect(cs).toEqual(['a-b:x', 'a-b:y', 'c-d:z', 'e-f:w']);
  });

  it('decodes quoted path keys, list steps and string escapes', () => {
    const [c] = comparisonsOf(parsePattern("[file:hashes.'SHA-256'[*].x[3] = 'it\\'s']"));
    expect(c.path.steps).toEqual(['hashes', 'SHA-256', '*', 'x', 3]);
    expect(c.value).toEqual({ kind: 'string', value: "it's" });
  });

  it('bounds nesting depth, token count and length', () => {
    const deep = `${'('.repeat(3000)}[file:name = 'x']${')'.repeat(3000)}`;
    expect(() => parsePattern(deep)).toThrow(/nesting deeper than 64/);
    const deepComparison = `[${'('.repeat(3000)}file:name = 'x'${')'.repeat(3000)}]`;
    expect(() => parsePattern(deepComparison)).toThrow(/nesting deeper/);
    const many = `[${Array.from({ length: 3000 }, (_, i) => `file:size = ${i}`).join(' OR ')}]`;
    expect(() => parsePattern(many)).toThrow(/more than 8192 tokens/);
    expect(() => parsePattern(`[file:name = '${'a'.repeat(70_000)}']`)).toThrow(/longer than/);
  });

  it('fuzz: random text gives a tree or a MamoriError, never another exception', () => {
    const alphabet = fc.constantFrom(...["[", "]", "(", ")", "'", ":", ".", " ", "=", "!=", "<", ">=", "AND", "OR", "NOT", "IN", "FOLLOWEDBY",
      "WITHIN", "SECONDS", "REPEATS", "TIMES", "START", "STOP", "t'2020-01-01T00:00:00Z'", "file", "name", "1", "-2", "3.5", "h'0a'", "b'QQ=='", "*", ",", "\\", "x"]);
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
      try {
        parsePattern(parts.join(''));
      } catch (e) {
        if (!isMamoriError(e, 'MAMORI_HUB_STIX_PATTERN')) throw e;
      }
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parsePattern(s);
      } catch (e) {
        if (!isMamoriError(e, 'MAMORI_HUB_STIX_PATTERN')) throw e;
      }
    }), { numRuns: 2000 });
  });

  it('fuzz: mutations of valid patterns never crash', () => {
    fc.assert(fc.property(fc.constantFrom(...VALID), fc.nat(), fc.nat(), fc.string({ maxLength: 4 }), (p, a, b, ins) => {
      const i = a % (p.length + 1);
      const j = Math.min(p.length, i + (b % 5));
      try {
        parsePattern(p.slice(0, i) + ins + p.slice(j));
      } catch (e) {
        if (!isMamoriError(e, 'MAMORI_HUB_STIX_PATTERN')) throw e;
      }
    }), { numRuns: 3000 });
  });
});
