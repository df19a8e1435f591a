import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The dashboard is built once, at install (npm run build:web), into web/dist; the service
// serves that folder. No dev server is needed to use it.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime, without a Babel-based preset.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The strict CSP allows no inline script: keep every script a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false
  }
})
