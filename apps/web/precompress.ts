/**
 * A Vite plugin that writes `.br` and `.gz` beside every text asset worth compressing, so
 * the server (@fastify/static `preCompressed`) sends the smallest encoding the browser
 * accepts without compressing per request. zlib only: no extra dependency.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const TEXT = /\.(js|css|html|json|svg|txt)$/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export function precompress(options: { minBytes?: number } = {}): Plugin {
  let outDir = 'build';
  return {
    name: 'mamori-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!TEXT.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < (options.minBytes ?? 1024)) continue;
        const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
        const gz = gzipSync(data, { level: 9 });
        // Only where it pays: the server falls back to the plain file.
        if (br.length < data.length * 0.9) writeFileSync(`${file}.br`, br);
        if (gz.length < data.length * 0.9) writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}
