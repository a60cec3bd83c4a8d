/**
 * A recursive-descent parser for the STIX 2.1 patterning language, following the OASIS
 * grammar (STIXPattern.g4) rule by rule:
 *
 *   pattern            := observationExprs EOF
 *   observationExprs   := observationOr (FOLLOWEDBY observationOr)*
 *   observationOr      := observationAnd (OR observationAnd)*
 *   observationAnd     := observation (AND observation)*
 *   observation        := ('[' comparisonOr ']' | '(' observationExprs ')') qualifier*
 *   qualifier          := START ts STOP ts | WITHIN number SECONDS | REPEATS int TIMES
 *   comparisonOr       := comparisonAnd (OR comparisonAnd)*
 *   comparisonAnd      := propTest (AND propTest)*
 *   propTest           := '(' comparisonOr ')' | objectPath [NOT] operator literal
 *
 * Hostile input is bounded: the source length, the token count and the nesting depth all
 * have limits, and every failure is a MamoriError naming the byte offset.
 */
import { MamoriError } from '@mamori/core';
import type { ComparisonExpression, ComparisonOperator, Literal, ObjectPath, ObservationExpression, Qualifier } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { parseStixTimestamp } from '../timestamp.js';

export interface PatternLimits {
  maxLength: number;
  maxTokens: number;
  maxDepth: number;
}

export const DEFAULT_PATTERN_LIMITS: PatternLimits = { maxLength: 64 * 1024, maxTokens: 8192, maxDepth: 64 };

const OBJECT_TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;

function fail(offset: number, reason: string): never {
  throw new MamoriError('MAMORI_HUB_STIX_PATTERN', { offset, reason });
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[], private readonly maxDepth: number) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  private expectPunct(p: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) fail(t.offset, `expected '${p}' but found ${describe(t)}`);
    return t;
  }

  private expectKeyword(word: string): Token {
    const t = this.next();
    if (t.kind !== 'keyword' || t.text !== word) fail(t.offset, `expected ${word} but found ${describe(t)}`);
    return t;
  }

  private enter(offset: number): void {
    if (++this.depth > this.maxDepth) fail(offset, `nesting deeper than ${this.maxDepth}`);
  }

  private leave(): void {
    this.depth--;
  }

  parsePattern(): ObservationExpression {
    if (this.peek().kind === 'eof') fail(0, 'empty pattern');
    const expr = this.observationExprs();
    const t = this.peek();
    if (t.kind !== 'eof') fail(t.offset, `unexpected ${describe(t)} after the end of the pattern`);
    return expr;
  }

  private observationBinary(kind: 'followedby' | 'or' | 'and', word: string, operand: () => ObservationExpression): ObservationExpression {
    const operands = [operand()];
    while (this.isKeyword(word)) {
      this.next();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0] : { kind, operands, qualifiers: [] };
  }

  private observationExprs(): ObservationExpression {
    return this.observationBinary('followedby', 'FOLLOWEDBY', () => this.observationOr());
  }

  private observationOr(): ObservationExpression {
    return this.observationBinary('or', 'OR', () => this.observationAnd());
  }

  private observationAnd(): ObservationExpression {
    return this.observationBinary('and', 'AND', () => this.observation());
  }

  private observation(): ObservationExpression {
    const t = this.peek();
    let expr: ObservationExpression;
    if (this.isPunct('[')) {
      this.enter(t.offset);
      this.next();
      const comparison = this.comparisonOr();
      checkSameTypeUnderAnd(comparison);
      this.expectPunct(']');
      this.leave();
      expr = { kind: 'observation', comparison, qualifiers: [] };
    } else if (this.isPunct('(')) {
      this.enter(t.offset);
      this.next();
      const inner = this.observationExprs();
      this.expectPunct(')');
      this.leave();
      expr = { kind: 'group', operands: [inner], qualifiers: [] };
    } else {
      return fail(t.offset, `expected '[' or '(' to start an observation expression but found ${describe(t)}`);
    }
    while (this.isKeyword('START') || this.isKeyword('WITHIN') || this.isKeyword('REPEATS')) {
      if (expr.qualifiers.length >= 16) fail(this.peek().offset, 'too many qualifiers');
      expr.qualifiers.push(this.qualifier());
    }
    return expr;
  }

  private qualifier(): Qualifier {
    const t = this.next();
    if (t.text === 'START') {
      const start = this.timestampArgument();
      this.expectKeyword('STOP');
      const stop = this.timestampArgument();
      if (start.key >= stop.key) fail(t.offset, 'START must be earlier than STOP');
      return { kind: 'start-stop', start: start.text, stop: stop.text };
    }
    if (t.text === 'WITHIN') {
      const n = this.next();
      if ((n.kind !== 'int' && n.kind !== 'float') || !(Number(n.text) > 0)) fail(n.offset, 'WITHIN needs a positive number of seconds');
      this.expectKeyword('SECONDS');
      return { kind: 'within', seconds: Number(n.text) };
    }
    const n = this.next();
    if (n.kind !== 'int' || !(Number(n.text) > 0) || !Number.isSafeInteger(Number(n.text))) fail(n.offset, 'REPEATS needs a positive integer');
    this.expectKeyword('TIMES');
    return { kind: 'repeats', times: Number(n.text) };
  }

  private timestampArgument(): { text: string; key: string } {
    const t = this.next();
    // STIX 2.1 writes t'...'; a plain string holding a timestamp is STIX 2.0's form.
    if (t.kind !== 'timestamp' && t.kind !== 'string') fail(t.offset, `expected a timestamp literal but found ${describe(t)}`);
    const parsed = parseStixTimestamp(t.text);
    if (!parsed) fail(t.offset, `'${t.text.slice(0, 40)}' is not a valid STIX timestamp`);
    return { text: t.text, key: parsed.key };
  }

  private comparisonOr(): ComparisonExpression {
    const operands = [this.comparisonAnd()];
    while (this.isKeyword('OR')) {
      this.next();
      operands.push(this.comparisonAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private comparisonAnd(): ComparisonExpression {
    const operands = [this.propTest()];
    while (this.isKeyword('AND')) {
      this.next();
      operands.push(this.propTest());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  private propTest(): ComparisonExpression {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.enter(t.offset);
      this.next();
      const inner = this.comparisonOr();
      this.expectPunct(')');
      this.leave();
      return inner;
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.next();
      negated = true;
    }
    const opToken = this.next();
    let operator: ComparisonOperator;
    if (opToken.kind === 'op' && !negated) operator = opToken.text as ComparisonOperator;
    else if (opToken.kind === 'keyword' && ['IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(opToken.text)) operator = opToken.text as ComparisonOperator;
    else return fail(opToken.offset, `expected a comparison operator but found ${describe(opToken)}`);

    if (operator === 'IN') {
      return { kind: 'comparison', path, operator, negated, value: this.setLiteral() };
    }
    const lit = this.literal();
    if ((operator === 'LIKE' || operator === 'MATCHES' || operator === 'ISSUBSET' || operator === 'ISSUPERSET') && lit.kind !== 'string') {
      fail(opToken.offset, `${operator} needs a string literal`);
    }
    if ((operator === '<' || operator === '<=' || operator === '>' || operator === '>=') && lit.kind === 'bool') {
      fail(opToken.offset, `${operator} needs an orderable literal, not a boolean`);
    }
    return { kind: 'comparison', path, operator, negated, value: lit };
  }

  private setLiteral(): Literal[] {
    this.expectPunct('(');
    const values: Literal[] = [];
    if (this.isPunct(')')) {
      this.next();
      return values;
    }
    values.push(this.literal());
    while (this.isPunct(',')) {
      this.next();
      values.push(this.literal());
    }
    this.expectPunct(')');
    return values;
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'int':
      case 'float': {
        const value = Number(t.text);
        if (!Number.isFinite(value)) fail(t.offset, 'number out of range');
        return { kind: t.kind, value, text: t.text };
      }
      case 'string':
      case 'hex':
      case 'binary':
        return { kind: t.kind, value: t.text };
      case 'timestamp':
        if (!parseStixTimestamp(t.text)) fail(t.offset, `'${t.text.slice(0, 40)}' is not a valid STIX timestamp`);
        return { kind: 'timestamp', value: t.text };
      case 'bool':
        return { kind: 'bool', value: t.text === 'true' };
      default:
        return fail(t.offset, `expected a literal but found ${describe(t)}`);
    }
  }

  private objectPath(): ObjectPath {
    const t = this.next();
    if (t.kind !== 'ident' || !OBJECT_TYPE.test(t.text)) {
      fail(t.offset, t.kind === 'ident' ? `'${t.text.slice(0, 40)}' is not a valid object type` : `expected an object path but found ${describe(t)}`);
    }
    this.expectPunct(':');
    const steps: (string | number)[] = [this.pathKey()];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        steps.push(this.pathKey());
      } else if (this.isPunct('[')) {
        const open = this.next();
        const idx = this.next();
        if (idx.kind === 'punct' && idx.text === '*') steps.push('*');
        else if (idx.kind === 'int' && !/^[+-]/.test(idx.text)) steps.push(Number(idx.text));
        else fail(idx.offset, 'list index must be a non-negative integer or *');
        this.expectPunct(']');
        if (steps.length > 64) fail(open.offset, 'object path longer than 64 steps');
      } else {
        break;
      }
    }
    return { objectType: t.text, steps, offset: t.offset };
  }

  private pathKey(): string {
    const t = this.next();
    // Keys with characters outside [A-Za-z0-9_-] are quoted: file:hashes.'SHA-256'.
    if (t.kind === 'ident' || t.kind === 'string') return t.text;
    if (t.kind === 'keyword' || t.kind === 'bool') return t.text.toLowerCase();
    return fail(t.offset, `expected a property name but found ${describe(t)}`);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the pattern';
  if (t.kind === 'keyword' || t.kind === 'op' || t.kind === 'punct') return `'${t.text}'`;
  return `${t.kind} ${JSON.stringify(t.text.slice(0, 40))}`;
}

function typesOf(expr: ComparisonExpression, out: Set<string>): Set<string> {
  if (expr.kind === 'comparison') out.add(expr.path.objectType);
  else for (const o of expr.operands) typesOf(o, out);
  return out;
}

/** STIX 2.1 §9.5: comparison expressions joined by AND must refer to the same object type. */
function checkSameTypeUnderAnd(expr: ComparisonExpression): void {
  if (expr.kind === 'comparison') return;
  if (expr.kind === 'and') {
    const types = typesOf(expr, new Set());
    if (types.size > 1) {
      const first = firstPath(expr);
      fail(first.offset, `comparisons joined by AND must use one object type, found ${[...types].join(', ')}`);
    }
  }
  for (const o of expr.operands) checkSameTypeUnderAnd(o);
}

function firstPath(expr: ComparisonExpression): ObjectPath {
  return expr.kind === 'comparison' ? expr.path : firstPath(expr.operands[0]);
}

/** Parses a STIX pattern into its syntax tree, or throws MAMORI_HUB_STIX_PATTERN with the offset. */
export function parsePattern(source: string, limits: Partial<PatternLimits> = {}): ObservationExpression {
  const l = { ...DEFAULT_PATTERN_LIMITS, ...limits };
  if (typeof source !== 'string') fail(0, 'pattern is not a string');
  if (source.length > l.maxLength) fail(l.maxLength, `pattern longer than ${l.maxLength} characters`);
  return new Parser(tokenize(source, l.maxTokens), l.maxDepth).parsePattern();
}

/** Every comparison in a pattern, in source order (for the per-value index and for tests). */
export function comparisonsOf(expr: ObservationExpression): Extract<ComparisonExpression, { kind: 'comparison' }>[] {
  const out: Extract<ComparisonExpression, { kind: 'comparison' }>[] = [];
  const walkC = (c: ComparisonExpression): void => {
    if (c.kind === 'comparison') out.push(c);
    else c.operands.forEach(walkC);
  };
  const walkO = (o: ObservationExpression): void => {
    if (o.kind === 'observation') walkC(o.comparison);
    else o.operands.forEach(walkO);
  };
  walkO(expr);
  return out;
}
