// Starts the niteputter binary for the browser tests: a fresh SQLite shop in NITE_E2E_DIR, seeded, with an
// administrator, the test payment provider and emails written as files into NITE_E2E_DIR/mail. Stops it (by its
// PID) when Playwright stops this script.
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";

const dir = process.env.NITE_E2E_DIR;
const port = process.env.NITE_E2E_PORT;
const binary = process.env.NITE_BINARY;
if (!dir || !port || !binary) throw new Error("NITE_E2E_DIR, NITE_E2E_PORT and NITE_BINARY must be set");

const env = {
  ...process.env,
  NITE_BIND: `127.0.0.1:${port}`,
  NITE_DATABASE_URL: `sqlite://${join(dir, "shop.db")}?mode=rwc`,
  NITE_EMAIL_DIR: join(dir, "mail"),
  NITE_JWT_SECRET: "a browser-test secret of at least 32 bytes",
  NITE_LOG: "warn",
  NITE_CATALOG_CACHE_MS: "0",
};
execFileSync(binary, ["seed"], { env, stdio: "inherit" });
execFileSync(binary, ["create-admin", "--email", "admin@niteputter.example", "--name", "Admin"], {
  env: { ...env, NITE_ADMIN_PASSWORD: "admin password 123" },
  stdio: "inherit",
});
const server = spawn(binary, ["serve"], { env, stdio: "inherit" });
const stop = () => server.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => process.exit(code ?? 0));
