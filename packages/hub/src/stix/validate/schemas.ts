/**
 * JSON Schemas (draft 2020-12) for STIX 2.1 objects, written from the STIX 2.1 OASIS
 * Standard (sections 3–7) in the layout of the OASIS cti-stix2-json-schemas repository:
 * one common block (core properties, identifiers, timestamps, markings) that every object
 * schema extends with `allOf`. Rules a schema cannot state (modified ≥ created, id prefix
 * = type, deterministic SCO ids, granular-marking selectors, pattern grammar) live in
 * rules.ts.
 *
 * Custom object types (any valid type name not listed here) are checked against the common
 * block only, as STIX 2.1 §11 allows them.
 */

const ID = 'https://mamori.invalid/stix/2.1';

type Schema = Record<string, unknown>;

const identifier = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$' };
const refTo = (...types: string[]): Schema => ({ allOf: [{ $ref: '#/$defs/identifier' }, { pattern: `^(${types.join('|')})--` }] });
const timestamp = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' };
const nonEmptyStrings = { type: 'array', minItems: 1, items: { type: 'string' } };
const refList = { type: 'array', minItems: 1, items: { $ref: '#/$defs/identifier' } };

const defs: Record<string, Schema> = {
  identifier,
  timestamp,
  'timestamp-ms': { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3,})?Z$' },
  hashes: {
    type: 'object', minProperties: 1, maxProperties: 64,
    propertyNames: { type: 'string', minLength: 3, maxLength: 250, pattern: '^[a-zA-Z0-9_-]+$' },
    additionalProperties: { type: 'string', minLength: 1 },
  },
  'external-reference': {
    type: 'object',
    properties: {
      source_name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      url: { type: 'string' },
      hashes: { $ref: '#/$defs/hashes' },
      external_id: { type: 'string' },
    },
    required: ['source_name'],
    anyOf: [{ required: ['description'] }, { required: ['url'] }, { required: ['external_id'] }],
  },
  'kill-chain-phase': {
    type: 'object',
    properties: { kill_chain_name: { type: 'string', minLength: 1 }, phase_name: { type: 'string', minLength: 1 } },
    required: ['kill_chain_name', 'phase_name'],
  },
  'granular-marking': {
    type: 'object',
    properties: {
      lang: { type: 'string' },
      marking_ref: refTo('marking-definition'),
      selectors: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, maxLength: 1024 } },
    },
    required: ['selectors'],
    oneOf: [{ required: ['lang'] }, { required: ['marking_ref'] }],
  },
  extensions: {
    type: 'object', minProperties: 1,
    propertyNames: { pattern: '^([a-z0-9-]{3,250}|extension-definition--[0-9a-f-]{36})$' },
    additionalProperties: { type: 'object' },
  },
  'type-name': { type: 'string', minLength: 3, maxLength: 250, pattern: '^([a-z0-9]+-)*[a-z0-9]+$' },
  /** Common properties of STIX Domain and Relationship Objects (STIX 2.1 §3.2). */
  core: {
    type: 'object',
    properties: {
      type: { $ref: '#/$defs/type-name' },
      spec_version: { const: '2.1' },
      id: { $ref: '#/$defs/identifier' },
      created_by_ref: refTo('identity'),
      created: { $ref: '#/$defs/timestamp-ms' },
      modified: { $ref: '#/$defs/timestamp-ms' },
      revoked: { type: 'boolean' },
      labels: nonEmptyStrings,
      confidence: { type: 'integer', minimum: 0, maximum: 100 },
      lang: { type: 'string' },
      external_references: { type: 'array', minItems: 1, items: { $ref: '#/$defs/external-reference' } },
      object_marking_refs: { type: 'array', minItems: 1, items: refTo('marking-definition') },
      granular_markings: { type: 'array', minItems: 1, items: { $ref: '#/$defs/granular-marking' } },
      extensions: { $ref: '#/$defs/extensions' },
    },
    required: ['type', 'spec_version', 'id', 'created', 'modified'],
  },
  /** Common properties of STIX Cyber-observable Objects (STIX 2.1 §3.2, §6). */
  'sco-core': {
    type: 'object',
    properties: {
      type: { $ref: '#/$defs/type-name' },
      spec_version: { const: '2.1' },
      id: { $ref: '#/$defs/identifier' },
      object_marking_refs: { type: 'array', minItems: 1, items: refTo('marking-definition') },
      granular_markings: { type: 'array', minItems: 1, items: { $ref: '#/$defs/granular-marking' } },
      defanged: { type: 'boolean' },
      extensions: { $ref: '#/$defs/extensions' },
    },
    required: ['type', 'id'],
    not: { anyOf: [{ required: ['created'] }, { required: ['modified'] }, { required: ['created_by_ref'] }] },
  },
};

const sdo = (properties: Schema, required: string[] = [], extra: Schema = {}): Schema => ({
  allOf: [{ $ref: '#/$defs/core' }, { type: 'object', properties, required, ...extra }],
});
const sco = (properties: Schema, required: string[] = [], extra: Schema = {}): Schema => ({
  allOf: [{ $ref: '#/$defs/sco-core' }, { type: 'object', properties, required, ...extra }],
});

const named = { name: { type: 'string', minLength: 1 }, description: { type: 'string' }, aliases: nonEmptyStrings };
const kcp = { type: 'array', minItems: 1, items: { $ref: '#/$defs/kill-chain-phase' } };
const port = { type: 'integer', minimum: 0, maximum: 65535 };

/** Per-type schemas: STIX Domain Objects (§4), Relationship Objects (§5), Cyber-observables (§6), markings (§7). */
const objects: Record<string, Schema> = {
  'attack-pattern': sdo({ ...named, kill_chain_phases: kcp }, ['name']),
  campaign: sdo({ ...named, first_seen: timestamp, last_seen: timestamp, objective: { type: 'string' } }, ['name']),
  'course-of-action': sdo({ ...named }, ['name']),
  grouping: sdo({ name: { type: 'string' }, description: { type: 'string' }, context: { type: 'string', minLength: 1 }, object_refs: refList }, ['context', 'object_refs']),
  identity: sdo({
    ...named, roles: nonEmptyStrings, identity_class: { type: 'string' }, sectors: nonEmptyStrings, contact_information: { type: 'string' },
  }, ['name']),
  indicator: sdo({
    name: { type: 'string' }, description: { type: 'string' }, indicator_types: nonEmptyStrings,
    pattern: { type: 'string', minLength: 1 }, pattern_type: { type: 'string', minLength: 1 }, pattern_version: { type: 'string' },
    valid_from: timestamp, valid_until: timestamp, kill_chain_phases: kcp,
  }, ['pattern', 'pattern_type', 'valid_from']),
  infrastructure: sdo({ ...named, infrastructure_types: nonEmptyStrings, kill_chain_phases: kcp, first_seen: timestamp, last_seen: timestamp }, ['name']),
  'intrusion-set': sdo({
    ...named, first_seen: timestamp, last_seen: timestamp, goals: nonEmptyStrings, resource_level: { type: 'string' },
    primary_motivation: { type: 'string' }, secondary_motivations: nonEmptyStrings,
  }, ['name']),
  location: sdo({
    name: { type: 'string' }, description: { type: 'string' },
    latitude: { type: 'number', minimum: -90, maximum: 90 }, longitude: { type: 'number', minimum: -180, maximum: 180 },
    precision: { type: 'number', minimum: 0 }, region: { type: 'string' }, country: { type: 'string' },
    administrative_area: { type: 'string' }, city: { type: 'string' }, street_address: { type: 'string' }, postal_code: { type: 'string' },
  }, [], {
    anyOf: [{ required: ['region'] }, { required: ['country'] }, { required: ['latitude', 'longitude'] }],
    dependentRequired: { latitude: ['longitude'], longitude: ['latitude'], precision: ['latitude', 'longitude'] },
  }),
  malware: sdo({
    ...named, malware_types: nonEmptyStrings, is_family: { type: 'boolean' }, kill_chain_phases: kcp,
    first_seen: timestamp, last_seen: timestamp, operating_system_refs: refList, architecture_execution_envs: nonEmptyStrings,
    implementation_languages: nonEmptyStrings, capabilities: nonEmptyStrings, sample_refs: refList,
  }, ['is_family'], { if: { properties: { is_family: { const: true } } }, then: { required: ['name'] } }),
  'malware-analysis': sdo({
    product: { type: 'string', minLength: 1 }, version: { type: 'string' }, host_vm_ref: refTo('software'), operating_system_ref: refTo('software'),
    installed_software_refs: refList, configuration_version: { type: 'string' }, modules: nonEmptyStrings,
    analysis_engine_version: { type: 'string' }, analysis_definition_version: { type: 'string' }, submitted: timestamp,
    analysis_started: timestamp, analysis_ended: timestamp, result_name: { type: 'string' }, result: { type: 'string' },
    analysis_sco_refs: refList, sample_ref: { $ref: '#/$defs/identifier' },
  }, ['product'], { anyOf: [{ required: ['result'] }, { required: ['analysis_sco_refs'] }] }),
  note: sdo({ abstract: { type: 'string' }, content: { type: 'string', minLength: 1 }, authors: nonEmptyStrings, object_refs: refList }, ['content', 'object_refs']),
  'observed-data': sdo({
    first_observed: timestamp, last_observed: timestamp, number_observed: { type: 'integer', minimum: 1, maximum: 999999999 },
    objects: { type: 'object', minProperties: 1 }, object_refs: refList,
  }, ['first_observed', 'last_observed', 'number_observed'], { oneOf: [{ required: ['object_refs'] }, { required: ['objects'] }] }),
  opinion: sdo({
    explanation: { type: 'string' }, authors: nonEmptyStrings,
    opinion: { enum: ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'] }, object_refs: refList,
  }, ['opinion', 'object_refs']),
  report: sdo({ name: { type: 'string', minLength: 1 }, description: { type: 'string' }, report_types: nonEmptyStrings, published: timestamp, object_refs: refList }, ['name', 'published', 'object_refs']),
  'threat-actor': sdo({
    ...named, threat_actor_types: nonEmptyStrings, first_seen: timestamp, last_seen: timestamp, roles: nonEmptyStrings,
    goals: nonEmptyStrings, sophistication: { type: 'string' }, resource_level: { type: 'string' },
    primary_motivation: { type: 'string' }, secondary_motivations: nonEmptyStrings, personal_motivations: nonEmptyStrings,
  }, ['name']),
  tool: sdo({ ...named, tool_types: nonEmptyStrings, kill_chain_phases: kcp, tool_version: { type: 'string' } }, ['name']),
  vulnerability: sdo({ name: { type: 'string', minLength: 1 }, description: { type: 'string' } }, ['name']),
  relationship: sdo({
    relationship_type: { type: 'string', pattern: '^[a-z0-9-]+$' }, description: { type: 'string' },
    source_ref: { $ref: '#/$defs/identifier' }, target_ref: { $ref: '#/$defs/identifier' }, start_time: timestamp, stop_time: timestamp,
  }, ['relationship_type', 'source_ref', 'target_ref']),
  sighting: sdo({
    description: { type: 'string' }, first_seen: timestamp, last_seen: timestamp, count: { type: 'integer', minimum: 0, maximum: 999999999 },
    sighting_of_ref: { $ref: '#/$defs/identifier' }, observed_data_refs: { type: 'array', minItems: 1, items: refTo('observed-data') },
    where_sighted_refs: { type: 'array', minItems: 1, items: refTo('identity', 'location') }, summary: { type: 'boolean' },
  }, ['sighting_of_ref']),
  'marking-definition': {
    type: 'object',
    properties: {
      type: { const: 'marking-definition' }, spec_version: { const: '2.1' }, id: refTo('marking-definition'),
      created_by_ref: refTo('identity'), created: { $ref: '#/$defs/timestamp-ms' },
      external_references: { type: 'array', minItems: 1, items: { $ref: '#/$defs/external-reference' } },
      object_marking_refs: { type: 'array', minItems: 1, items: refTo('marking-definition') },
      granular_markings: { type: 'array', minItems: 1, items: { $ref: '#/$defs/granular-marking' } },
      name: { type: 'string' }, definition_type: { type: 'string' }, definition: { type: 'object' },
      extensions: { $ref: '#/$defs/extensions' },
    },
    required: ['type', 'spec_version', 'id', 'created'],
    dependentRequired: { definition_type: ['definition'], definition: ['definition_type'] },
    not: { required: ['modified'] },
  },
  'extension-definition': sdo({
    name: { type: 'string', minLength: 1 }, description: { type: 'string' }, schema: { type: 'string', minLength: 1 },
    version: { type: 'string', minLength: 1 }, extension_types: { type: 'array', minItems: 1, items: { enum: ['new-sdo', 'new-sco', 'new-sro', 'property-extension', 'toplevel-property-extension'] } },
    extension_properties: nonEmptyStrings,
  }, ['name', 'created_by_ref', 'schema', 'version', 'extension_types']),
  'language-content': sdo({ object_ref: { $ref: '#/$defs/identifier' }, object_modified: timestamp, contents: { type: 'object', minProperties: 1 } }, ['object_ref', 'contents']),

  artifact: sco({
    mime_type: { type: 'string' }, payload_bin: { type: 'string', contentEncoding: 'base64' }, url: { type: 'string' }, hashes: { $ref: '#/$defs/hashes' },
    encryption_algorithm: { type: 'string' }, decryption_key: { type: 'string' },
  }, [], { oneOf: [{ required: ['payload_bin'] }, { required: ['url'] }], dependentRequired: { url: ['hashes'] } }),
  'autonomous-system': sco({ number: { type: 'integer', minimum: 0, maximum: 4294967295 }, name: { type: 'string' }, rir: { type: 'string' } }, ['number']),
  directory: sco({ path: { type: 'string', minLength: 1 }, path_enc: { type: 'string' }, ctime: timestamp, mtime: timestamp, atime: timestamp, contains_refs: refList }, ['path']),
  'domain-name': sco({ value: { type: 'string', minLength: 1 }, resolves_to_refs: { type: 'array', minItems: 1, items: refTo('ipv4-addr', 'ipv6-addr', 'domain-name') } }, ['value']),
  'email-addr': sco({ value: { type: 'string', minLength: 1 }, display_name: { type: 'string' }, belongs_to_ref: refTo('user-account') }, ['value']),
  'email-message': sco({
    is_multipart: { type: 'boolean' }, date: timestamp, content_type: { type: 'string' }, from_ref: refTo('email-addr'), sender_ref: refTo('email-addr'),
    to_refs: { type: 'array', minItems: 1, items: refTo('email-addr') }, cc_refs: { type: 'array', minItems: 1, items: refTo('email-addr') },
    bcc_refs: { type: 'array', minItems: 1, items: refTo('email-addr') }, message_id: { type: 'string' }, subject: { type: 'string' },
    received_lines: nonEmptyStrings, additional_header_fields: { type: 'object' }, body: { type: 'string' }, body_multipart: { type: 'array', minItems: 1 },
    raw_email_ref: refTo('artifact'),
  }, ['is_multipart']),
  file: sco({
    hashes: { $ref: '#/$defs/hashes' }, size: { type: 'integer', minimum: 0 }, name: { type: 'string' }, name_enc: { type: 'string' },
    magic_number_hex: { type: 'string', pattern: '^([a-fA-F0-9]{2})+$' }, mime_type: { type: 'string' }, ctime: timestamp, mtime: timestamp, atime: timestamp,
    parent_directory_ref: refTo('directory'), contains_refs: refList, content_ref: refTo('artifact'),
  }, [], { anyOf: [{ required: ['hashes'] }, { required: ['name'] }] }),
  'ipv4-addr': sco({ value: { type: 'string', minLength: 7 }, resolves_to_refs: { type: 'array', minItems: 1, items: refTo('mac-addr') }, belongs_to_refs: { type: 'array', minItems: 1, items: refTo('autonomous-system') } }, ['value']),
  'ipv6-addr': sco({ value: { type: 'string', minLength: 2 }, resolves_to_refs: { type: 'array', minItems: 1, items: refTo('mac-addr') }, belongs_to_refs: { type: 'array', minItems: 1, items: refTo('autonomous-system') } }, ['value']),
  'mac-addr': sco({ value: { type: 'string', pattern: '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' } }, ['value']),
  mutex: sco({ name: { type: 'string', minLength: 1 } }, ['name']),
  'network-traffic': sco({
    start: timestamp, end: timestamp, is_active: { type: 'boolean' }, src_ref: refTo('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'),
    dst_ref: refTo('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'), src_port: port, dst_port: port,
    protocols: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z0-9-]+$' } },
    src_byte_count: { type: 'integer', minimum: 0 }, dst_byte_count: { type: 'integer', minimum: 0 },
    src_packets: { type: 'integer', minimum: 0 }, dst_packets: { type: 'integer', minimum: 0 }, ipfix: { type: 'object' },
    src_payload_ref: refTo('artifact'), dst_payload_ref: refTo('artifact'), encapsulates_refs: refList, encapsulated_by_ref: refTo('network-traffic'),
  }, ['protocols'], { anyOf: [{ required: ['src_ref'] }, { required: ['dst_ref'] }] }),
  process: sco({
    is_hidden: { type: 'boolean' }, pid: { type: 'integer' }, created_time: timestamp, cwd: { type: 'string' }, command_line: { type: 'string' },
    environment_variables: { type: 'object' }, opened_connection_refs: refList, creator_user_ref: refTo('user-account'),
    image_ref: refTo('file'), parent_ref: refTo('process'), child_refs: refList,
  }, [], { minProperties: 3 }),
  software: sco({
    name: { type: 'string', minLength: 1 }, cpe: { type: 'string' }, swid: { type: 'string' }, languages: nonEmptyStrings,
    vendor: { type: 'string' }, version: { type: 'string' },
  }, ['name']),
  url: sco({ value: { type: 'string', minLength: 1 } }, ['value']),
  'user-account': sco({
    user_id: { type: 'string' }, credential: { type: 'string' }, account_login: { type: 'string' }, account_type: { type: 'string' },
    display_name: { type: 'string' }, is_service_account: { type: 'boolean' }, is_privileged: { type: 'boolean' }, can_escalate_privs: { type: 'boolean' },
    is_disabled: { type: 'boolean' }, account_created: timestamp, account_expires: timestamp, credential_last_changed: timestamp,
    account_first_login: timestamp, account_last_login: timestamp,
  }),
  'windows-registry-key': sco({ key: { type: 'string' }, values: { type: 'array', minItems: 1, items: { type: 'object' } }, modified_time: timestamp, creator_user_ref: refTo('user-account'), number_of_subkeys: { type: 'integer', minimum: 0 } }),
  'x509-certificate': sco({
    is_self_signed: { type: 'boolean' }, hashes: { $ref: '#/$defs/hashes' }, version: { type: 'string' }, serial_number: { type: 'string' },
    signature_algorithm: { type: 'string' }, issuer: { type: 'string' }, validity_not_before: timestamp, validity_not_after: timestamp,
    subject: { type: 'string' }, subject_public_key_algorithm: { type: 'string' }, subject_public_key_modulus: { type: 'string' },
    subject_public_key_exponent: { type: 'integer' }, x509_v3_extensions: { type: 'object' },
  }, [], { minProperties: 3 }),
};

/** STIX Cyber-observable Object types (deterministic ids apply to these). */
export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr',
  'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate',
]);

export const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.keys(objects));

/** One schema document: `$defs` for shared blocks, one `$defs/<type>` per object type. */
export const stixSchema: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${ID}/stix.json`,
  $defs: { ...defs, ...objects },
};

export const STIX_SCHEMA_ID = `${ID}/stix.json`;
