// The Vite config of the React example. Two pages: index.html (the app alone) and both.html (the
// same app on a page that also has the script tag's snippet). The build is relative (base
// './'), so the collector serves it from /examples/react-vite/build/. The dev server forwards
// the collector's paths (the endpoint /collect, the script tag /dist/, /events) to the
// collector named by RTP_COLLECTOR, so the app's same-origin endpoint works in both.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const collector = process.env.RTP_COLLECTOR || 'http://127.0.0.1:8787';

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'build',
    rollupOptions: { input: { index: 'index.html', both: 'both.html' } },
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/collect', '/dist', '/events'].map((path) => [path, collector])),
  },
});
