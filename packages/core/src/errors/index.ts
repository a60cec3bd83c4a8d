export { MamoriError, isMamoriError, type ErrorDetails } from './mamori-error.js';
export { errorCatalogue, type ErrorCode, type ErrorSpec } from './catalogue.js';
