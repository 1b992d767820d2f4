import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { addToCart, expectAccessible, fillDetails, uniqueEmail } from "./helpers";

const shop = `http://127.0.0.1:${process.env.NITE_E2E_STRIPE_PORT ?? ""}`;
const fake = `http://127.0.0.1:${process.env.NITE_E2E_STRIPE_FAKE_PORT ?? ""}`;
test.use({ baseURL: shop });

test("on Stripe, the Payment Element takes the card and the 3-D Secure return lands on the paid order", async ({ page }) => {
  // Stripe.js comes from js.stripe.com, which this machine cannot reach: the test serves a stand-in of the same shape,
  // and answers its confirmation call by completing the payment at the fake Stripe, which sends the signed webhook.
  const stripeJs = readFileSync(join(import.meta.dirname, "stripe/fake-stripe-js.js"), "utf8");
  await page.route("https://js.stripe.com/v3/", (route) => route.fulfill({ contentType: "text/javascript", body: stripeJs }));
  await page.route(/^https:\/\/api\.stripe\.com\/v1\/payment_intents\/(\w+)\/confirm$/, async (route) => {
    const intent = /payment_intents\/(\w+)\/confirm/.exec(route.request().url())?.[1] ?? "";
    const settled = await fetch(`${fake}/__settle/${intent}`, { method: "POST" });
    const { delivered } = (await settled.json()) as { delivered: number };
    expect(delivered, "the shop accepted the signed webhook").toBe(200);
    await route.fulfill({ json: { id: intent, status: "succeeded" } });
  });

  const config = (await (await page.request.get("/api/v1/config")).json()) as { payments: { provider: string; publishable_key: string } };
  expect(config.payments).toEqual({ provider: "stripe", publishable_key: "pk_test_browser" });

  await addToCart(page, "niteputter-pro");
  await fillDetails(page, uniqueEmail("stripe"), "Card Holder");
  await page.getByRole("button", { name: "Continue to shipping" }).click();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("You will enter your card details securely after reviewing your order.")).toBeVisible();
  await page.getByRole("button", { name: "Continue to review" }).click();
  await page.getByRole("button", { name: /^Place order/ }).click();

  // The Payment Element is mounted with the payment's client secret; paying goes through the 3-D Secure redirect.
  await expect(page.getByLabel("Card number")).toBeVisible();
  await expectAccessible(page, "the Payment Element step");
  await page.getByRole("button", { name: /^Pay \$/ }).click();
  await expect(page).toHaveURL(/\/orders\/ord_/);
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await expect(page.getByTestId("order-state")).toHaveText(/Paid/);
  await expect(page.getByRole("button", { name: /^Cart, 0 items/ })).toBeAttached();
});
