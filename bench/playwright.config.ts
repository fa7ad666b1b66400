// The Playwright baseline for `cargo xtask bench`: the hub's @qa-readonly
// setup, pointed at the system Chromium so nothing downloads a browser.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.QA_BASE_URL;
if (!baseURL) {
  throw new Error('set QA_BASE_URL to the site under test (cargo xtask bench does)');
}

export default defineConfig({
  // `--pages N` mode points this at a generated spec folder.
  testDir: process.env.BENCH_TEST_DIR ?? './tests',
  outputDir: process.env.BENCH_OUTPUT_DIR ?? './test-results',
  // Scenarios run side by side, as prod-smoke's do.
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: 'line',
  use: {
    baseURL,
    headless: true,
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
