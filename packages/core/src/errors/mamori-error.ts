import { errorCatalogue, type ErrorCode } from './catalogue.js';

/**
 * Details carried by an error: whatever locates the fault. Parsers set `offset` (byte
 * offset in the input) or `field` (a path such as `objects[3].modified`).
 */
export interface ErrorDetails {
  offset?: number;
  field?: string;
  [key: string]: unknown;
}

function render(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    details[key] === undefined ? whole : String(details[key]),
  );
}

/** The only error type mamori code throws on purpose. */
export class MamoriError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    const spec = errorCatalogue[code];
    let message = render(spec.message, details);
    if (details.offset !== undefined && !message.includes('offset')) message += ` (at byte offset ${details.offset})`;
    if (details.field !== undefined && !spec.message.includes('{field}')) message += ` (field ${details.field})`;
    super(message, options);
    this.name = 'MamoriError';
    this.code = code;
    this.status = spec.status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMamoriError(e: unknown, code?: ErrorCode): e is MamoriError {
  return e instanceof MamoriError && (code === undefined || e.code === code);
}
