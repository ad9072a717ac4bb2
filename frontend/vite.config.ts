import react from '@vitejs/plugin-react';
import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig(({ mode }) => {
  // `npm run dev` proxies /api to the backend (DOABLE_API_URL, default http://127.0.0.1:3000).
  const api = loadEnv(mode, '.', '').DOABLE_API_URL || 'http://127.0.0.1:3000';
  return {
    plugins: [react()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // Keep every asset a separate file: the backend's CSP forbids inline code.
      assetsInlineLimit: 0,
    },
    server: {
      proxy: {
        '/api': {
          target: api,
          // Better Auth only accepts requests from its own (trusted) origin.
          configure: (proxy) => {
            proxy.on('proxyReq', (req) => {
              if (req.getHeader('origin')) req.setHeader('origin', new URL(api).origin);
            });
          },
        },
      },
    },
    test: {
      environment: 'jsdom',
      include: ['src/**/*.test.{ts,tsx}'],
      setupFiles: ['src/test-setup.ts'],
      // A zone with daylight saving and a negative offset makes the date tests meaningful.
      env: { TZ: 'America/New_York' },
    },
  };
});
