import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Firebase alone is ~500 kB minified; the dashboard is one page, so one bundle is fine.
    chunkSizeWarningLimit: 900,
  },
  server: {
    // `npm run dev -w web` against `npm start`: the Hosting emulator serves the project's web config.
    proxy: { '/__': 'http://127.0.0.1:5000' },
  },
});
