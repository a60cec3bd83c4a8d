import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError } from '@mamori/core';
import { assertValidStix, validateObject, validateObjects, validateObjectsYielding } from './validate.js';
import { sampleIndicator, sampleIpv4 } from '../samples.js';
import { TLP1_MARKINGS, TLP2_MARKINGS, tlp2MarkingDefinition } from '../tlp.js';

const identity = {
  type: 'identity', spec_version: '2.1', id: 'identity--311b2d2d-f010-4473-83ec-1edf84858f4c',
  created: '2015-12-21T19:59:11.000Z', modified: '2015-12-21T19:59:11.000Z', name: 'Cole Powers', identity_class: 'individual',
};
const malware = {
  type: 'malware', spec_version: '2.1', id: 'malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061',
  created: '2016-05-12T08:17:27.000Z', modified: '2016-05-12T08:17:27.000Z', name: 'Cryptolocker', is_family: true,
};
const relationship = {
  type: 'relationship', spec_version: '2.1', id: 'relationship--57b56a43-b8b0-4cba-9deb-34e3e1faed9e',
  created: '2016-04-06T20:06:37.000Z', modified: '2016-04-06T20:06:37.000Z', relationship_type: 'indicates',
  source_ref: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', target_ref: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
};
const sighting = {
  type: 'sighting', spec_version: '2.1', id: 'sighting--ee20065d-2555-424f-ad9e-0f8428623c75',
  created: '2016-04-06T20:08:31.000Z', modified: '2016-04-06T20:08:31.000Z', sighting_of_ref: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  count: 50, first_seen: '2015-12-21T19:00:00Z', last_seen: '2015-12-21T19:00:00Z', where_sighted_refs: ['identity--b67d30ff-02ac-498a-92f9-32f845f448ff'],
};
const observed = {
  type: 'observed-data', spec_version: '2.1', id: 'observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf',
  created: '2016-04-06T19:58:16.000Z', modified: '2016-04-06T19:58:16.000Z', first_observed: '2015-12-21T19:00:00Z',
  last_observed: '2015-12-21T19:00:00Z', number_observed: 50, object_refs: ['ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4'],
};
const report = {
  type: 'report', spec_version: '2.1', id: 'report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3', created: '2015-12-21T19:59:11.000Z',
  modified: '2015-12-21T19:59:11.000Z', name: 'The Black Vine Cyberespionage Group', report_types: ['campaign'],
  published: '2016-01-20T17:00:00.000Z', object_refs: ['indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2'],
};
const vulnerability = {
  type: 'vulnerability', spec_version: '2.1', id: 'vulnerability--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', created: '2016-05-12T08:17:27.000Z',
  modified: '2016-05-12T08:17:27.000Z', name: 'CVE-2016-1234', external_references: [{ source_name: 'cve', external_id: 'CVE-2016-1234' }],
};
const infrastructure = {
  type: 'infrastructure', spec_version: '2.1', id: 'infrastructure--38c47d93-d984-4fd9-b87b-d69d0841628d', created: '2016-05-07T11:22:30.000Z',
  modified: '2016-05-07T11:22:30.000Z', name: 'Poison Ivy C2', infrastructure_types: ['command-and-control'],
};

describe('STIX 2.1 validation', () => {
  it('accepts the specification examples of each object type mamori stores', () => {
    const objects = [identity, malware, relationship, sighting, observed, report, vulnerability, infrastructure, sampleIndicator(1), sampleIpv4(1),
      tlp2MarkingDefinition('AMBER'), { type: 'domain-name', spec_version: '2.1', id: 'domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7', value: 'example.com' },
      { type: 'file', spec_version: '2.1', id: 'file--a9a4d1e1-59b6-4d1c-b1a6-0ed2a8e34bd9', hashes: { 'SHA-256': 'fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db' } },
      { type: 'x-mamori-note', spec_version: '2.1', id: 'x-mamori-note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', created: '2016-05-12T08:17:27.000Z', modified: '2016-05-12T08:17:27.000Z', text: 'custom' },
    ];
    const r = validateObjects(objects);
    expect(r.problems).toEqual([]);
    expect(r.valid).toHaveLength(objects.length);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['modified before created', { ...malware, modified: '2016-05-12T08:17:26.000Z' }, 'modified', /no earlier than created/],
    ['id prefix differs from type', { ...malware, id: 'tool--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061' }, 'id', /prefix/],
    ['timestamp not in STIX form', { ...malware, created: '2016-05-12 08:17:27' }, 'created', /pattern/],
    ['impossible date', { ...malware, created: '2016-02-30T08:17:27.000Z', modified: '2016-03-01T00:00:00.000Z' }, 'created', /not a valid STIX timestamp/],
    ['missing required property', { ...sampleIndicator(2), pattern: undefined }, 'pattern', /required/],
    ['bad STIX pattern', { ...sampleIndicator(3), pattern: "[ipv4-addr:value = '1.2.3.4'" }, 'pattern', /expected '\]'/],
    ['valid_until not after valid_from', { ...sampleIndicator(4), valid_until: '2025-01-01T00:00:00Z' }, 'valid_until', /later than valid_from/],
    ['SCO UUIDv5 not deterministic', { ...sampleIpv4(5), value: '192.0.2.1' }, 'id', /expected ipv4-addr--/],
    ['SCO with created', { ...sampleIpv4(6), created: '2016-05-12T08:17:27.000Z' }, '', /no created/],
    ['granular selector that resolves to nothing', { ...malware, granular_markings: [{ marking_ref: TLP2_MARKINGS.RED, selectors: ['description'] }] }, 'granular_markings[0].selectors[0]', /no property 'description'/],
    ['granular selector index out of range', { ...malware, aliases: ['a'], granular_markings: [{ marking_ref: TLP2_MARKINGS.RED, selectors: ['aliases.[3]'] }] }, 'granular_markings[0].selectors[0]', /not an index/],
    ['granular selector on id', { ...malware, granular_markings: [{ marking_ref: TLP2_MARKINGS.RED, selectors: ['id'] }] }, 'granular_markings[0].selectors[0]', /cannot be marked/],
    ['marking ref that is not a marking', { ...malware, object_marking_refs: ['identity--311b2d2d-f010-4473-83ec-1edf84858f4c'] }, 'object_marking_refs[0]', /pattern/],
    ['spec_version 2.0', { ...malware, spec_version: '2.0' }, 'spec_version', /must be "2.1"/],
    ['malware family without name', { ...malware, name: undefined }, 'name', /required/],
    ['sighting count out of range', { ...sighting, count: 1_000_000_000 }, 'count', /<= 999999999/],
    ['custom reference not an identifier', { ...malware, x_owner_ref: 'nobody' }, 'x_owner_ref', /identifier/],
    ['bad property name', { ...malware, 'Bad-Name': 1 }, 'Bad-Name', /a-z, 0-9/],
  ];

  it.each(cases)('rejects %s, naming object and property', (_name, object, property, message) => {
    const problems = validateObject(JSON.parse(JSON.stringify(object)), 7);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ index: 7, id: object.id, property });
    expect(problems[0].message).toMatch(message);
  });

  it('accepts TLP 1.0 marking refs and granular markings that resolve', () => {
    const o = { ...malware, description: 'x', aliases: ['a', 'b'], object_marking_refs: [Object.keys(TLP1_MARKINGS)[0]],
      granular_markings: [{ marking_ref: TLP2_MARKINGS.RED, selectors: ['description', 'aliases.[1]'] }] };
    expect(validateObject(o, 0)).toEqual([]);
  });

  it('rejects two objects with the same id and version but different content, keeps the rest', () => {
    const a = sampleIndicator(9);
    const b = { ...a, name: 'conflicting' };
    const c = sampleIndicator(10);
    const r = validateObjects([a, c, b, { ...a }]);
    expect(r.valid.map((v) => v.index)).toEqual([1]);
    expect(r.problems.map((p) => p.index)).toEqual([0, 2, 3]);
    expect(r.problems[0].message).toMatch(/different content/);
  });

  it('validates a large envelope giving the event loop back, with the same verdicts as in one go', async () => {
    const a = sampleIndicator(9);
    const objects: unknown[] = [a, { ...a, name: 'conflicting' }, { ...malware, modified: '2016-05-12T08:17:26.000Z' }, 'not an object'];
    for (let i = 0; i < 300; i++) objects.push(sampleIndicator(100 + i));
    let turns = 0;
    const ticker = setInterval(() => { turns++; }, 0);
    const yielded = await validateObjectsYielding(objects, undefined, 0);
    clearInterval(ticker);
    expect(yielded).toEqual(validateObjects(objects));
    expect(yielded.valid).toHaveLength(300);
    expect(new Set(yielded.problems.map((p) => p.index))).toEqual(new Set([0, 1, 2, 3]));
    // A timer ran while it worked: requests waiting on the loop are not held for the whole envelope.
    expect(turns).toBeGreaterThan(0);
  });

  it('bounds hostile nesting without recursion', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const problems = validateObject({ ...malware, x_deep: deep }, 0);
    expect(problems[0].message).toMatch(/nesting deeper than 32/);
    const wide = validateObject({ ...malware, x_wide: Array.from({ length: 200_000 }, () => 1) }, 0);
    expect(wide[0].message).toMatch(/more than 100000/);
  });

  it('assertValidStix throws a MamoriError naming objects[i].property', () => {
    try {
      assertValidStix([malware, { ...malware, id: 'malware--nope' }]);
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_HUB_STIX_INVALID')).toBe(true);
      expect((e as any).details.field).toBe('objects[1].id');
    }
  });

  it('fuzz: arbitrary JSON and mutated objects give problems or pass, never throw', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      validateObjects([v]);
    }), { numRuns: 500 });
    const base = [identity, malware, relationship, sighting, observed, sampleIndicator(1), sampleIpv4(1)];
    fc.assert(fc.property(fc.constantFrom(...base), fc.constantFrom('id', 'type', 'created', 'modified', 'pattern', 'value', 'spec_version', 'object_marking_refs', 'granular_markings', 'x_y_ref'),
      fc.jsonValue({ maxDepth: 3 }), (o, key, value) => {
        validateObjects([{ ...o, [key]: value }]);
      }), { numRuns: 1500 });
  });
});
