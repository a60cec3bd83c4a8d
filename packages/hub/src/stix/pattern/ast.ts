/** The syntax tree of a STIX pattern. */

export type Literal =
  | { kind: 'int' | 'float'; value: number; text: string }
  | { kind: 'string' | 'hex' | 'binary' | 'timestamp'; value: string }
  | { kind: 'bool'; value: boolean };

/** `file:hashes.'SHA-256'` → objectType `file`, steps `['hashes', 'SHA-256']`; `[*]` is `'*'`, `[2]` is 2. */
export interface ObjectPath {
  objectType: string;
  steps: (string | number)[];
  offset: number;
}

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type ComparisonExpression =
  | { kind: 'comparison'; path: ObjectPath; operator: ComparisonOperator; negated: boolean; value: Literal | Literal[] }
  | { kind: 'and' | 'or'; operands: ComparisonExpression[] };

export type Qualifier =
  | { kind: 'within'; seconds: number }
  | { kind: 'repeats'; times: number }
  | { kind: 'start-stop'; start: string; stop: string };

export type ObservationExpression =
  | { kind: 'observation'; comparison: ComparisonExpression; qualifiers: Qualifier[] }
  | { kind: 'and' | 'or' | 'followedby' | 'group'; operands: ObservationExpression[]; qualifiers: Qualifier[] };
