import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress.js';

// The server (apps/server, routes/web.ts) serves build/ and falls back to index.html for
// client-side routes; assets/ carry content hashes and are cached immutably.
export default defineConfig({
  plugins: [react(), precompress()],
  base: '/',
  build: {
    outDir: 'build',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev -w @mamori/web` next to `npm start`: the API stays on the server.
    proxy: { '/api': 'http://127.0.0.1:8080', '/taxii2': 'http://127.0.0.1:8080', '/tsa': 'http://127.0.0.1:8080' },
  },
});
