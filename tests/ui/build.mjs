// Bundles js/dashboard.jsx (Splunk's dashboard framework, pinned in package-lock.json) into dist/dashboard.js.
import { build } from 'esbuild';

await build({
    entryPoints: ['js/dashboard.jsx'],
    bundle: true,
    outfile: 'dist/dashboard.js',
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.js': 'jsx' },
});
