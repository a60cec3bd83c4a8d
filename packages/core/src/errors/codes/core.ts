import type { ErrorSpec } from '../catalogue.js';

export const coreErrors = {
  MAMORI_CONFIG_INVALID: { message: 'invalid configuration at "{field}": {reason}', status: 500 },
  MAMORI_CONFIG_FILE: { message: 'cannot read configuration file {file}: {reason}', status: 500 },
  MAMORI_IP_INVALID: { message: 'not a valid IP address or prefix: "{input}"', status: 400 },
  MAMORI_STORE_UNAVAILABLE: { message: 'store unavailable ({dialect}): {reason}', status: 503 },
  MAMORI_BUS_UNAVAILABLE: { message: 'bus unavailable ({kind}): {reason}', status: 503 },
  MAMORI_BUS_CLOSED: { message: 'the bus is closed', status: 503 },
  MAMORI_NOT_FOUND: { message: '{what} not found', status: 404 },
  MAMORI_USAGE: { message: '{reason}', status: 400 },
  MAMORI_INTERNAL: { message: 'internal error: {reason}', status: 500 },
} as const satisfies Record<string, ErrorSpec>;
