// The storefront's budgets, measured as the issue asks: the release binary on loopback, a fresh seeded shop,
// Lighthouse (npm, mobile preset) driving Debian's Chromium. Prints the figures recorded in web/README.md.
//
//   cargo build --release -p nite-http && cd web && npm run budgets
//
// Budgets: initial JavaScript ≤ 120 KB gzipped; product page LCP ≤ 1.0 s, performance ≥ 90, accessibility ≥ 95.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const binary = process.env.NITE_BINARY ?? resolve(import.meta.dirname, "../../target/release/niteputter");
const dir = mkdtempSync(join(tmpdir(), "nite-budgets-"));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  NITE_BIND: `127.0.0.1:${port}`,
  NITE_DATABASE_URL: `sqlite://${join(dir, "shop.db")}?mode=rwc`,
  NITE_EMAIL_DIR: join(dir, "mail"),
  NITE_LOG: "warn",
};
execFileSync(binary, ["seed"], { env, stdio: "ignore" });
const server = spawn(binary, ["serve"], { env, stdio: "ignore" });

async function ready() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not start");
}

const budgets = { js: 120 * 1024, lcp: 1000, performance: 0.9, accessibility: 0.95 };
let failed = false;
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox"],
});
try {
  await ready();
  for (const path of ["/products/niteputter-pro", "/"]) {
    const result = await lighthouse(`${base}${path}`, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility"],
    });
    const lhr = result?.lhr;
    if (!lhr) throw new Error("no Lighthouse result");
    const audits = lhr.audits;
    const scripts = audits["resource-summary"]?.details?.items?.find((i) => i.resourceType === "script");
    const figures = {
      page: path,
      performance: lhr.categories.performance?.score ?? 0,
      accessibility: lhr.categories.accessibility?.score ?? 0,
      lcp_ms: Math.round(audits["largest-contentful-paint"]?.numericValue ?? 0),
      fcp_ms: Math.round(audits["first-contentful-paint"]?.numericValue ?? 0),
      tbt_ms: Math.round(audits["total-blocking-time"]?.numericValue ?? 0),
      cls: audits["cumulative-layout-shift"]?.numericValue ?? 0,
      js_transfer_kb: Math.round(((scripts?.transferSize ?? 0) / 1024) * 10) / 10,
    };
    console.log(JSON.stringify(figures));
    if (figures.performance < budgets.performance || figures.accessibility < budgets.accessibility) failed = true;
    if (path.startsWith("/products/") && figures.lcp_ms > budgets.lcp) failed = true;
    if ((scripts?.transferSize ?? 0) > budgets.js) failed = true;
  }
} finally {
  await chrome.kill();
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? "budgets: OVER" : "budgets: within");
process.exit(failed ? 1 : 0);
