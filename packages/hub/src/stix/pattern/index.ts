export { parsePattern, comparisonsOf, DEFAULT_PATTERN_LIMITS, type PatternLimits } from './parser.js';
export type { ObservationExpression, ComparisonExpression, ComparisonOperator, ObjectPath, Literal, Qualifier } from './ast.js';
