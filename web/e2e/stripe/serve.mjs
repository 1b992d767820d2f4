// The shop on Stripe, for the browser test of Stripe's Payment Element and its 3-D Secure return: a fake of the
// Stripe API on loopback (form-encoded requests, Stripe's JSON objects and error envelope), and niteputter with
// NITE_PAYMENTS=stripe pointed at it. `POST /__settle/{id}` completes a PaymentIntent as a customer's bank would
// and delivers the signed `payment_intent.succeeded` webhook to the shop, as Stripe does.
import { execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";

export const WEBHOOK_SECRET = "whsec_browser_test_secret";
const dir = process.env.NITE_E2E_DIR;
const port = process.env.NITE_E2E_STRIPE_PORT;
const fakePort = process.env.NITE_E2E_STRIPE_FAKE_PORT;
const binary = process.env.NITE_BINARY;
if (!dir || !port || !fakePort || !binary) throw new Error("NITE_E2E_DIR, the Stripe ports and NITE_BINARY must be set");
const shop = `http://127.0.0.1:${port}`;

const intents = new Map();
let next = 1;

function stripeError(res, status, message) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { type: "invalid_request_error", message } }));
}

function send(res, body) {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function deliver(intent) {
  const event = {
    id: `evt_browser_${next++}`, object: "event", api_version: "2026-09-30.endive", created: Math.floor(Date.now() / 1000),
    data: { object: intent }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null },
    type: "payment_intent.succeeded",
  };
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${body}`).digest("hex");
  const response = await fetch(`${shop}/api/v1/webhooks/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": `t=${t},v1=${v1}` },
    body,
  });
  return response.status;
}

const fake = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "POST" && url.pathname.startsWith("/__settle/")) {
      const intent = intents.get(url.pathname.slice("/__settle/".length));
      if (!intent) return stripeError(res, 404, "No such payment_intent");
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
      void deliver(intent).then((status) => send(res, { delivered: status }));
      return;
    }
    if (!(req.headers.authorization ?? "").startsWith("Bearer sk_test_")) return stripeError(res, 401, "Invalid API Key provided");
    const form = new URLSearchParams(raw);
    if (req.method === "POST" && url.pathname === "/v1/payment_intents") {
      const id = `pi_browser${next++}`;
      const metadata = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]] = v;
      }
      const intent = {
        id, object: "payment_intent", amount: Number(form.get("amount")), amount_capturable: 0, amount_received: 0,
        capture_method: form.get("capture_method") ?? "automatic", confirmation_method: "automatic", created: 1780315200,
        currency: form.get("currency"), livemode: false, metadata, payment_method_types: ["card"],
        status: "requires_payment_method", client_secret: `${id}_secret_browser`, receipt_email: form.get("receipt_email"),
      };
      intents.set(id, intent);
      return send(res, intent);
    }
    const match = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && match && intents.has(match[1])) return send(res, intents.get(match[1]));
    return stripeError(res, 404, `Unrecognized request URL (${req.method} ${url.pathname})`);
  });
});
fake.listen(Number(fakePort), "127.0.0.1");

const env = {
  ...process.env,
  NITE_BIND: `127.0.0.1:${port}`,
  NITE_DATABASE_URL: `sqlite://${join(dir, "stripe-shop.db")}?mode=rwc`,
  NITE_EMAIL_DIR: join(dir, "stripe-mail"),
  NITE_JWT_SECRET: "a browser-test secret of at least 32 bytes",
  NITE_LOG: "warn",
  NITE_PAYMENTS: "stripe",
  NITE_STRIPE_SECRET_KEY: "sk_test_browser",
  NITE_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  NITE_STRIPE_API_BASE: `http://127.0.0.1:${fakePort}`,
  NITE_STRIPE_PUBLISHABLE_KEY: "pk_test_browser",
};
execFileSync(binary, ["seed"], { env, stdio: "inherit" });
const server = spawn(binary, ["serve"], { env, stdio: "inherit" });
const stop = () => {
  server.kill("SIGTERM");
  fake.close();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => process.exit(code ?? 0));
