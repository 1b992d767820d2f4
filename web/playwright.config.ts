import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defineConfig, devices } from "@playwright/test";

// One niteputter per run, on a fresh SQLite file in a fresh folder (its emails land there too), on a loopback port.
// The binary is the one cargo built (NITE_BINARY, by default target/debug/niteputter); e2e/serve.mjs starts it and
// stops it when Playwright ends the run. The browser is Debian's chromium: Playwright downloads nothing.
process.env.NITE_E2E_DIR ??= mkdtempSync(join(tmpdir(), "nite-e2e-"));
process.env.NITE_E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
process.env.NITE_E2E_STRIPE_PORT ??= String(Number(process.env.NITE_E2E_PORT) + 1);
process.env.NITE_E2E_STRIPE_FAKE_PORT ??= String(Number(process.env.NITE_E2E_PORT) + 2);
process.env.NITE_BINARY ??= resolve(import.meta.dirname, "../target/debug/niteputter");
const base = `http://127.0.0.1:${process.env.NITE_E2E_PORT}`;

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000, toHaveScreenshot: { maxDiffPixelRatio: 0.02 } },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  snapshotPathTemplate: "{testDir}/screenshots/{arg}-{projectName}{ext}",
  use: {
    baseURL: base,
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
    trace: "off",
    screenshot: "only-on-failure",
  },
  // The screenshots first, on the freshly seeded shop (no reviews yet, full stock); then the flows, which change it.
  projects: [
    { name: "desktop", testMatch: /visual\.spec\.ts/, use: { ...devices["Desktop Chrome"], channel: undefined } },
    {
      name: "phone",
      testMatch: /visual\.spec\.ts/,
      use: { ...devices["Pixel 7"], viewport: { width: 360, height: 780 } },
    },
    {
      name: "flows",
      testIgnore: /visual\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], channel: undefined },
      dependencies: ["desktop", "phone"],
    },
  ],
  webServer: [
    {
      command: "node e2e/serve.mjs",
      url: `${base}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // The same shop on Stripe (a fake of Stripe's API on loopback), for e2e/stripe.spec.ts.
      command: "node e2e/stripe/serve.mjs",
      url: `http://127.0.0.1:${process.env.NITE_E2E_STRIPE_PORT}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
