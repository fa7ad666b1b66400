// browserless 2 with only its Chromium routes, so it needs no browser but
// the system Chromium. Its stock start (build/index.js) refuses to start
// unless Chrome and Edge exist at fixed paths under /usr/bin (no setting
// moves them) and Playwright's Firefox and WebKit exist. Disabling those
// routes skips that check; Chromium comes from PLAYWRIGHT_BROWSERS_PATH,
// which `cargo xtask pool` points at a temporary folder holding a symlink.
// Settings come from the environment as for the stock start: PORT, HOST,
// TOKEN, CONCURRENT, QUEUED, DATA_DIR, TIMEOUT.
import {
  Browserless,
  BrowserlessChromeRoutes,
  BrowserlessEdgeRoutes,
  BrowserlessFirefoxRoutes,
  BrowserlessWebKitRoutes,
} from '@browserless.io/browserless';

const browserless = new Browserless();
browserless.disableRoutes(
  ...Object.values(BrowserlessChromeRoutes),
  ...Object.values(BrowserlessEdgeRoutes),
  ...Object.values(BrowserlessFirefoxRoutes),
  ...Object.values(BrowserlessWebKitRoutes),
);
await browserless.start();
console.log(`browserless ready on port ${process.env.PORT}`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await browserless.stop();
    process.exit(0);
  });
}
