import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** Where the server under test writes its emails. */
export const mailDir = join(process.env.NITE_E2E_DIR ?? "", "mail");

/** A fresh address for one test. */
export function uniqueEmail(who: string): string {
  return `${who}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** axe-core on the page as it is now: no violations of WCAG 2.x A and AA (and best practices). */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(found, `axe on ${what}`).toEqual([]);
}

/** The decoded text of an email (quoted-printable soft breaks and escapes undone). */
function decode(eml: string): string {
  return eml.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits for an email on disk whose text contains every one of `needles`; its decoded text. */
export async function waitForEmail(...needles: string[]): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(
      () => {
        let files: string[] = [];
        try {
          files = readdirSync(mailDir).filter((f) => f.endsWith(".eml"));
        } catch {
          return false;
        }
        for (const file of files) {
          const text = decode(readFileSync(join(mailDir, file), "utf8"));
          if (needles.every((n) => text.includes(n))) {
            found = text;
            return true;
          }
        }
        return false;
      },
      { timeout: 20_000, message: `an email with ${needles.join(", ")}` },
    )
    .toBe(true);
  return found ?? "";
}

/** An administrator's access token, for arranging what a test needs through the API. */
export async function adminToken(request: APIRequestContext): Promise<string> {
  const response = await request.post("/api/v1/auth/login", {
    data: { email: "admin@niteputter.example", password: "admin password 123" },
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Adds a product (its first variant) from its page, waits for the cart drawer to show it, and closes the drawer. */
export async function addToCart(page: Page, slug: string): Promise<void> {
  await page.goto(`/products/${slug}`);
  await page.getByRole("button", { name: "Add to cart" }).click();
  const drawer = page.getByRole("dialog", { name: "Your cart" });
  await expect(drawer.getByRole("list", { name: "Items in your cart" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
}

/** Fills checkout's first step (contact and a US address) for `email`. */
export async function fillDetails(page: Page, email: string, name = "Ada Lovelace"): Promise<void> {
  await page.goto("/checkout/details");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Street and number").fill("1 Market St");
  await page.getByLabel("City").fill("Austin");
  await page.getByLabel("State or region").fill("TX");
  await page.getByLabel("Postal code").fill("78701");
}

/** Goes through checkout from the cart drawer or page to the confirmation, as a shopper would. */
export async function checkout(page: Page, email: string, options: { keyboard?: boolean } = {}): Promise<string> {
  const press = async (name: string | RegExp, role: "button" | "link" = "button") => {
    const target = page.getByRole(role, { name });
    if (options.keyboard) {
      await target.focus();
      await page.keyboard.press("Enter");
    } else {
      await target.click();
    }
  };
  await fillDetails(page, email);
  await press("Continue to shipping");
  await expect(page).toHaveURL(/\/checkout\/shipping$/);
  await expect(page.getByRole("radio").first()).toBeChecked();
  await expectAccessible(page, "checkout: shipping");
  await press("Continue to payment");
  await expect(page).toHaveURL(/\/checkout\/payment$/);
  await expect(page.getByLabel("Test card that is accepted")).toBeChecked();
  await expectAccessible(page, "checkout: payment");
  await press("Continue to review");
  await expect(page).toHaveURL(/\/checkout\/review$/);
  await expectAccessible(page, "checkout: review");
  await press(/^Place order/);
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  return (await page.getByTestId("order-id").textContent()) ?? "";
}

/** Signs in to the dashboard at /admin as the seeded administrator, with the keyboard. */
export async function adminSignIn(page: Page): Promise<void> {
  await page.goto("/admin");
  await page.getByLabel("Email").fill("admin@niteputter.example");
  await page.getByLabel("Password").fill("admin password 123");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByRole("heading", { name: "Home", level: 1 })).toBeVisible();
}

/**
 * Places and pays an order through the API (as a guest, or as the customer whose access token is `token`): `sku`
 * once, shipped to Austin. Returns the order's id. With `pay: false` the order stays unpaid, holding its stock.
 */
export async function buyThroughApi(
  request: APIRequestContext,
  email: string,
  sku: string,
  token?: string,
  pay = true,
): Promise<string> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const ok = async (response: Awaited<ReturnType<APIRequestContext["get"]>>) => {
    expect(response.ok(), `${response.url()}: ${await response.text()}`).toBe(true);
    return (await response.json()) as Record<string, unknown>;
  };
  const cart = await ok(await request.post("/api/v1/carts", { headers }));
  const base = `/api/v1/carts/${String(cart.id)}`;
  await ok(await request.post(`${base}/items`, { headers, data: { sku, quantity: 1 } }));
  const address = { name: "Ada Lovelace", line1: "1 Market St", city: "Austin", region: "TX", postal_code: "78701", country: "US" };
  await ok(await request.put(`${base}/addresses`, { headers, data: { email, shipping_address: address } }));
  const options = (await ok(await request.get(`${base}/shipping-options`, { headers }))) as { data: { id: string }[] };
  await ok(await request.put(`${base}/shipping-option`, { headers, data: { id: options.data[0]?.id } }));
  const placed = (await ok(
    await request.post(`${base}/checkout`, { headers: { ...headers, "Idempotency-Key": crypto.randomUUID() } }),
  )) as { order: { id: string }; payment: { id: string } };
  if (pay) await ok(await request.post(`/api/v1/payments/${placed.payment.id}/test-confirm`, { data: { outcome: "succeeded" } }));
  return placed.order.id;
}
