/**
 * CycloneDX XML checked against the official XSDs, with libxml2's xmllint compiled to
 * WebAssembly (npm `xmllint-wasm`).
 *
 * Why this validator: it is libxml2 (the reference XSD 1.0 implementation most CycloneDX tools
 * use) with no native build (`libxmljs2` needs node-gyp and a C++ toolchain at install time) and
 * no child process (`xmllint` from Debian's libxml2-utils would be a spawn and a system
 * dependency). Its file system is Emscripten's in-memory one, holding only the files given here,
 * so a document cannot make it read the host's files; `--nonet` is passed as well.
 *
 * Why a worker and Atomics.wait: `readSbom` is synchronous and used so by the CLI, the routes
 * and the other parts, while xmllint-wasm answers with a promise from its own worker thread.
 * One long-lived helper thread runs it; this thread blocks on a shared flag with a timeout, so
 * a validation that runs too long is cut off (the helper and its xmllint thread are terminated).
 * `validateCyclonedxXsdAsync` (behind `readSbomAsync`) does not block: for servers. It takes a
 * helper from a small pool of idle ones (starting a thread and compiling libxml2 costs more
 * than validating a typical SBOM) and hands it back after a clean answer; a helper that timed
 * out or failed is terminated, never reused.
 *
 * The schemas are read at run time from `@cyclonedx/cyclonedx-library`'s res/schema folder
 * (see SCHEMAS.md), with every schema they import, found by following `xs:import`/`xs:include`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { MamoriError } from '@mamori/core';

export interface XsdFile { fileName: string; contents: string }
/** One validity error: the line xmllint named (if any) and its message without the file name. */
export interface XsdProblem { line?: number; message: string }
export interface XsdOptions {
  /** Cut the validation off after this many milliseconds. */
  timeoutMs: number;
  /** Memory the validator may use, in MiB (WebAssembly memory of libxml2). */
  maxMemoryMiB: number;
}

const require = createRequire(import.meta.url);
const SCHEMA_DIR = (): string => join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
/** Only plain file names in the schema folder: an absolute path or URL would leave it. */
const LOCAL_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.xsd$/;

const fileSets = new Map<string, XsdFile[]>();

/** `bom-<version>.SNAPSHOT.xsd` first, then every schema it imports or includes, transitively. */
export function cyclonedxXsdFiles(version: string): XsdFile[] {
  let files = fileSets.get(version);
  if (files) return files;
  const dir = SCHEMA_DIR();
  files = [];
  const queue = [`bom-${version}.SNAPSHOT.xsd`];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const fileName = queue.shift()!;
    const contents = readFileSync(join(dir, fileName), 'utf8');
    files.push({ fileName, contents });
    for (const m of contents.matchAll(/<xs:(?:import|include)\b[^>]*\bschemaLocation="([^"]*)"/g)) {
      const loc = m[1];
      if (!LOCAL_FILE.test(loc)) throw new MamoriError('MAMORI_SUPPLY_INPUT', { reason: `${fileName} refers to schema "${loc}" outside the package's schema folder`, field: fileName });
      if (!seen.has(loc)) { seen.add(loc); queue.push(loc); }
    }
  }
  fileSets.set(version, files);
  return files;
}

/**
 * Runs in the helper thread (plain JavaScript: it is evaluated, not compiled). Each request
 * gets its answer on the port, then the shared flag is raised to wake the blocked caller.
 */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { validateXML } = require(workerData.lib);
const { port, flag } = workerData;
const MAX_PROBLEMS = 20;
port.on('message', (req) => {
  validateXML({
    xml: [{ fileName: 'sbom.xml', contents: req.xml }],
    schema: [req.files[0]],
    preload: req.files.slice(1),
    stream: true,
    initialMemoryPages: 256,
    maxMemoryPages: req.maxMemoryPages,
    // No network, even if libxml2 were built with its HTTP client.
    modifyArguments: (args) => ['--nonet', ...args],
  }).then(
    (r) => port.postMessage({ valid: r.valid, total: r.errors.length, problems: r.errors.slice(0, MAX_PROBLEMS).map((e) => ({ line: e.loc ? e.loc.lineNumber : undefined, message: e.message })) }),
    (e) => port.postMessage({ failure: String(e && e.message || e).slice(0, 2000) }),
  ).finally(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });
});
`;

interface Helper { worker: Worker; port: MessagePort; flag: Int32Array }
let helper: Helper | undefined;
/** Idle helpers for the async path, at most IDLE_HELPERS kept. */
const idle: Helper[] = [];
const IDLE_HELPERS = 2;
let started = 0;

/** How many helper threads this process has started (tests check that the async path reuses them). */
export const xsdHelpersStarted = (): number => started;

function startHelper(): Helper {
  started++;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(HELPER, { eval: true, workerData: { lib: require.resolve('xmllint-wasm'), port: port2, flag }, transferList: [port2] });
  // Neither keeps the process alive: a CLI run ends when its work does.
  worker.unref();
  port1.unref();
  const h = { worker, port: port1, flag };
  worker.on('error', () => {
    if (helper === h) helper = undefined;
    const i = idle.indexOf(h);
    if (i >= 0) idle.splice(i, 1);
  });
  return h;
}

function stopHelper(): void {
  const h = helper;
  helper = undefined;
  // Terminating the helper ends its xmllint thread too.
  if (h) void h.worker.terminate();
}

export interface XsdResult {
  valid: boolean;
  /** The first problems (at most 20). */
  problems: XsdProblem[];
  /** How many problems xmllint reported in all. */
  total: number;
  /** xmllint could not read the document at all (libxml2 found it not well-formed). */
  unreadable?: boolean;
}

type Answer = XsdResult | { failure: string };

/** Validates `xml` against the CycloneDX XSD of `version`. Throws MAMORI_SUPPLY_SBOM_TOO_LARGE on timeout. */
export function validateCyclonedxXsd(xml: string, version: string, o: XsdOptions): XsdResult {
  const files = cyclonedxXsdFiles(version);
  helper ??= startHelper();
  const h = helper;
  Atomics.store(h.flag, 0, 0);
  postRequest(h.port, xml, files, o);
  if (Atomics.wait(h.flag, 0, 0, o.timeoutMs) === 'timed-out') {
    stopHelper();
    throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: o.timeoutMs, what: 'milliseconds of XSD validation' });
  }
  const answer = receiveMessageOnPort(h.port)?.message as Answer | undefined;
  if (!answer) { stopHelper(); throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: 'the XSD validator gave no answer' }); }
  return settle(answer, o);
}

/**
 * The same, without blocking this thread (for a server's event loop): a helper of its own for
 * the call (from the idle pool or new), handed back after an answer, terminated on a timeout
 * or failure.
 */
export function validateCyclonedxXsdAsync(xml: string, version: string, o: XsdOptions): Promise<XsdResult> {
  const files = cyclonedxXsdFiles(version);
  const h = idle.pop() ?? startHelper();
  let answered = false;
  let onError: ((e: Error) => void) | undefined;
  return new Promise<XsdResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: o.timeoutMs, what: 'milliseconds of XSD validation' })), o.timeoutMs);
    onError = (e) => { clearTimeout(timer); reject(new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `the XSD validator failed: ${e.message}` })); };
    h.worker.once('error', onError);
    h.port.once('message', (answer: Answer) => {
      clearTimeout(timer);
      answered = true;
      try { resolve(settle(answer, o)); } catch (e) { reject(e); }
    });
    postRequest(h.port, xml, files, o);
  }).finally(() => {
    if (onError) h.worker.off('error', onError);
    if (answered && idle.length < IDLE_HELPERS) idle.push(h);
    else { h.port.close(); void h.worker.terminate(); }
  });
}

/**
 * The document goes as UTF-8 bytes whose buffer is moved, not copied, to the helper: a cloned
 * string would be one more copy of a document that may be hundreds of MiB.
 */
function postRequest(port: MessagePort, xml: string, files: XsdFile[], o: XsdOptions): void {
  const bytes = new TextEncoder().encode(xml);
  port.postMessage({ xml: bytes, files, maxMemoryPages: Math.max(256, Math.ceil(o.maxMemoryMiB * 16)) }, [bytes.buffer]);
}

function settle(answer: Answer, o: XsdOptions): XsdResult {
  if ('failure' in answer) return { valid: false, problems: failureProblems(answer.failure, o), total: 1, unreadable: true };
  return answer;
}

/** xmllint ended abnormally (not well-formed for libxml2, out of memory): its first message, with its line. */
function failureProblems(failure: string, o: XsdOptions): XsdProblem[] {
  if (/WASM Abort|out of memory|Cannot enlarge memory/i.test(failure)) {
    throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: o.maxMemoryMiB, what: 'MiB of XSD validator memory' });
  }
  // In streaming mode xmllint may print "validates" and then "failed to parse": the latter counts.
  const first = failure.split('\n').find((l) => l.trim().length > 0 && !/ validates$/.test(l)) ?? failure;
  const m = /^sbom\.xml:(\d+):\s*(.*)$/.exec(first);
  return [m ? { line: Number(m[1]), message: m[2] } : { message: first }];
}
