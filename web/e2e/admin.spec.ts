import { expect, test, type Page } from "@playwright/test";
import {
  addToCart,
  adminSignIn,
  adminToken,
  buyThroughApi,
  checkout,
  expectAccessible,
  uniqueEmail,
  waitForEmail,
} from "./helpers";

/** Opens a section of the dashboard from its navigation, as a keyboard user would, and checks it with axe. */
async function section(page: Page, name: string): Promise<void> {
  const link = page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true });
  await link.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expectAccessible(page, `the dashboard: ${name}`);
}

test("a customer who signs in to the dashboard is told they have no access", async ({ page, request }) => {
  const email = uniqueEmail("not-admin");
  const created = await request.post("/api/v1/auth/register", { data: { email, password: "a customer password", name: "Cus Tomer" } });
  expect(created.status()).toBe(201);
  await page.goto("/admin");
  await expectAccessible(page, "the dashboard's sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a customer password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "No access to the dashboard" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("not an administrator");
  await expectAccessible(page, "no access");
  // Even with the session cookie, the admin API refuses: the page's own requests carry no token, and a customer's
  // token gets 403.
  const login = await request.post("/api/v1/auth/login", { data: { email, password: "a customer password" } });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const refused = await request.get("/api/v1/admin/orders", { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(403);
  await page.getByRole("button", { name: "Sign in as someone else" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to the NitePutter dashboard" })).toBeVisible();
  const bad = page.getByLabel("Password");
  await page.getByLabel("Email").fill(email);
  await bad.fill("wrong password!!");
  await bad.press("Enter");
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account.");
});

test("an administrator runs the shop from the dashboard", async ({ page, browser, request, baseURL }) => {
  test.setTimeout(180_000);
  const token = await adminToken(request);
  const auth = { Authorization: `Bearer ${token}` };

  // A shopper buys in the storefront, in a browser of their own.
  // (Other browsers: contexts of their own, as axe needs.)
  const shopperContext = await browser.newContext({ baseURL });
  const shopper = await shopperContext.newPage();
  const shopperEmail = uniqueEmail("night.golfer");
  await addToCart(shopper, "niteputter-basic");
  const toShip = await checkout(shopper, shopperEmail);

  // Sign in; no token is kept where scripts can read it.
  await adminSignIn(page);
  await expectAccessible(page, "the dashboard's home");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(stored).not.toMatch(/eyJ|refresh/);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Home", level: 1 }), "the session survives a reload").toBeVisible();

  // Find the paid order by the shopper's email and ship it.
  await section(page, "Orders");
  await page.getByLabel("State").selectOption("paid");
  await page.getByLabel("Order id or email").fill(shopperEmail.toUpperCase().slice(0, 20));
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/status=paid/);
  await page.getByRole("link", { name: toShip }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(toShip);
  await expect(page.getByTestId("order-state")).toHaveText("Paid");
  await expectAccessible(page, "a paid order");
  await page.getByRole("button", { name: "Ship" }).click();
  await page.getByLabel("Carrier").fill("UPS");
  await page.getByLabel("Tracking number").fill("1Z999AA10123456799");
  await page.getByRole("button", { name: "Ship and email the customer" }).click();
  await expect(page.getByTestId("order-state")).toHaveText("Shipped");
  await expect(page.getByRole("button", { name: "Mark delivered" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Ship", exact: true })).toHaveCount(0);
  await expect(page.getByRole("list").filter({ hasText: "Paid → Shipped" })).toContainText("by an administrator");
  await waitForEmail("1Z999AA10123456799", shopperEmail);
  await shopper.reload();
  await expect(shopper.getByTestId("tracking")).toContainText("1Z999AA10123456799");
  await expect(shopper.getByTestId("order-state")).toHaveText("Shipped");

  // Refund part of another order: what is still refundable shrinks by exactly that.
  const toRefund = await buyThroughApi(request, uniqueEmail("refund"), "NP-PRO-GRN");
  await page.goto(`/admin/orders/${toRefund}`);
  await expect(page.getByTestId("refundable")).toHaveText(/\$\d/);
  await page.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByText(/^Still refundable: \$/)).toBeVisible();
  await page.getByLabel("Amount (USD)").fill("10.00");
  await page.getByLabel("Reason").fill("scuffed box");
  await page.getByRole("button", { name: "Refund" }).last().click();
  await expect(page.getByRole("status").filter({ hasText: "Done: refund." })).toBeVisible();
  const refunded = (await (await request.get(`/api/v1/admin/orders/${toRefund}`, { headers: auth })).json()) as {
    refundable: { amount: string };
    payment: { refunded: { amount: string } };
  };
  expect(refunded.payment.refunded.amount).toBe("10.00");
  await expect(page.getByTestId("refundable")).toHaveText(`$${refunded.refundable.amount}`);

  // An action another administrator made first: the dashboard shows the API's reason and the order as it now is.
  const raced = await buyThroughApi(request, uniqueEmail("race"), "NP-BASIC-GRN");
  await page.goto(`/admin/orders/${raced}`);
  await expect(page.getByRole("button", { name: "Cancel order" })).toBeVisible();
  const elsewhere = await request.post(`/api/v1/admin/orders/${raced}/ship`, {
    headers: auth,
    data: { carrier: "USPS", tracking_number: "9400100000000000000000" },
  });
  expect(elsewhere.status()).toBe(200);
  await page.getByRole("button", { name: "Cancel order" }).click();
  await page.getByRole("button", { name: "Cancel the order" }).click();
  await expect(page.getByRole("alert")).toContainText("The order cannot do that now");
  await expect(page.getByTestId("order-state")).toHaveText("Shipped");

  // Change a price; the storefront shows it. (Put back afterwards: other tests price this product.)
  await section(page, "Products");
  await page.getByRole("link", { name: "NitePutter Basic" }).click();
  await expect(page.getByRole("heading", { name: "Edit NitePutter Basic" })).toBeVisible();
  await expectAccessible(page, "the product editor");
  const price = page.getByLabel("Regular price (USD)");
  await expect(price).toHaveValue("49.99");
  await price.fill("44.50");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved NitePutter Basic." })).toBeVisible();
  const storefrontContext = await browser.newContext({ baseURL });
  const storefront = await storefrontContext.newPage();
  await storefront.goto("/products/niteputter-basic");
  await expect(storefront.getByTestId("price").first()).toHaveText("$44.50");
  await price.fill("49.99");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved NitePutter Basic." })).toBeVisible();
  await storefront.reload();
  await expect(storefront.getByTestId("price").first()).toHaveText("$49.99");

  // Inventory: on hand is edited in place, never below what is reserved.
  await section(page, "Inventory");
  const onHand = page.getByLabel("On hand for NP-COMPLETE");
  await onHand.fill("24");
  await page.getByRole("button", { name: "Save NP-COMPLETE" }).click();
  await expect(page.getByRole("row").filter({ hasText: "NP-COMPLETE" }).getByRole("status")).toHaveText("Saved");
  await buyThroughApi(request, uniqueEmail("unpaid"), "NP-PRO-RGB", undefined, false);
  await page.reload();
  const rgb = page.getByRole("row").filter({ hasText: "NP-PRO-RGB" });
  await expect(rgb.getByRole("cell").nth(1)).toHaveText("1");
  await page.getByLabel("On hand for NP-PRO-RGB").fill("0");
  await page.getByRole("button", { name: "Save NP-PRO-RGB" }).click();
  await expect(rgb.getByRole("alert")).toContainText("on hand");

  // A new product with a variant: the storefront sells it; removed, it is gone.
  await section(page, "Products");
  await page.getByRole("link", { name: "New product" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Caddie Lamp");
  await page.getByLabel("URL name (slug)").fill("caddie-lamp");
  await page.getByLabel("Category", { exact: true }).fill("basic");
  await page.getByLabel("Features (one per line)").fill("Clips to any bag\nWarm white");
  await page.getByLabel("SKU", { exact: true }).fill("NP-LAMP");
  await page.getByLabel("Variant name").fill("Warm white");
  await page.getByLabel("Regular price (USD)").fill("19.00");
  await page.getByLabel("Weight (g)").fill("200");
  await page.getByLabel("Length (mm)").fill("100");
  await page.getByLabel("Width (mm)").fill("50");
  await page.getByLabel("Height (mm)").fill("50");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "Edit Caddie Lamp" })).toBeVisible();
  const lamp = await browser.newContext({ baseURL });
  const lampPage = await lamp.newPage();
  await lampPage.goto("/products/caddie-lamp");
  await expect(lampPage.getByTestId("price").first()).toHaveText("$19.00");
  await expect(lampPage.getByText("Clips to any bag")).toBeVisible();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Remove product" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Products" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Caddie Lamp" })).toHaveCount(0);
  await lampPage.goto("/products/caddie-lamp");
  await expect(lampPage.getByRole("heading", { name: "This light is not here" })).toBeVisible();
  await lamp.close();

  // A promotion: its preview shows it applying to a sample cart before it is saved; its code then works in the
  // storefront.
  await section(page, "Promotions");
  await page.getByRole("link", { name: "New promotion" }).click();
  await expect(page.getByRole("heading", { name: "New promotion" })).toBeVisible();
  await page.getByLabel("Name").fill("Five off the Complete System");
  await page.getByLabel("Code (empty: applies automatically)").fill("NIGHT5");
  await page.getByLabel("Kind").selectOption("items_amount");
  await page.getByLabel("Amount off each unit (USD)").fill("5.00");
  await page.getByLabel("Chosen by").selectOption("skus");
  await page.getByLabel("Which (comma separated)").fill("NP-COMPLETE");
  await page.getByRole("combobox", { name: "SKU", exact: true }).selectOption("NP-PRO-GRN");
  const verdict = page.getByTestId("preview-verdict");
  await expect(verdict).toHaveText("It does not apply: No line of the cart is one it targets.");
  await page.getByRole("combobox", { name: "SKU", exact: true }).selectOption("NP-COMPLETE");
  await expect(verdict).toHaveText("It applies to this cart.");
  const withIt = page.getByRole("region", { name: "With it" });
  await expect(withIt).toContainText("Five off the Complete System: −$5.00");
  await expectAccessible(page, "the promotion editor");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("heading", { name: "Edit Five off the Complete System" })).toBeVisible();
  await addToCart(storefront, "niteputter-complete-system");
  await storefront.getByRole("button", { name: /^Cart, 1 item/ }).click();
  const drawer = storefront.getByRole("dialog", { name: "Your cart" });
  await drawer.getByLabel("Discount code", { exact: true }).fill("NIGHT5");
  await drawer.getByRole("button", { name: "Apply" }).click();
  await expect(drawer).toContainText("NIGHT5");
  await expect(drawer.getByTestId("code-why")).toHaveCount(0);
  await expect(drawer.getByTestId("total")).toContainText("$");

  // A verified buyer's review waits for moderation; approved, it shows on the product page.
  const reviewer = uniqueEmail("reviewer");
  const registered = await request.post("/api/v1/auth/register", {
    data: { email: reviewer, password: "a reviewer password", name: "Rita Reviewer" },
  });
  const reviewerToken = ((await registered.json()) as { access_token: string }).access_token;
  await buyThroughApi(request, reviewer, "NP-COMPLETE", reviewerToken);
  const review = await request.post("/api/v1/products/niteputter-complete-system/reviews", {
    headers: { Authorization: `Bearer ${reviewerToken}` },
    data: { rating: 5, title: "Lights the whole practice green", body: "Every cup glows; the kids putt until midnight." },
  });
  expect(review.status()).toBe(201);
  await section(page, "Reviews");
  await expect(page.getByRole("heading", { name: "Lights the whole practice green" })).toBeVisible();
  await page.getByRole("button", { name: "Approve “Lights the whole practice green”" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved" })).toBeVisible();
  await storefront.goto("/products/niteputter-complete-system");
  await expect(storefront.getByTestId("reviews")).toContainText("Lights the whole practice green");

  // Customers, and one customer's orders.
  await section(page, "Customers");
  await page.getByRole("link", { name: "Rita Reviewer" }).click();
  await expect(page.getByRole("heading", { name: "Rita Reviewer's orders" })).toBeVisible();
  await expect(page.getByRole("table")).toContainText(reviewer);
  await expectAccessible(page, "a customer's orders");

  // The home page after these purchases: today's figures are the sales report's, and the chart has today's bar.
  await section(page, "Home");
  const today = new Date().toISOString().slice(0, 10);
  const report = (await (
    await request.get(`/api/v1/admin/analytics/sales?from=${today}&granularity=day`, { headers: auth })
  ).json()) as { periods: { orders: number; revenue: { amount: string } }[] };
  const period = report.periods.at(-1);
  expect(period?.orders ?? 0).toBeGreaterThanOrEqual(4);
  const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  const revenue = dollars.format(period?.revenue.amount as Intl.StringNumericLiteral);
  await expect(page.getByTestId("today-revenue")).toContainText(revenue);
  await expect(page.getByTestId("today-orders")).toContainText(String(period?.orders));
  await page.getByText("The figures").click();
  const label = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date());
  await expect(page.getByRole("row", { name: new RegExp(`^${label} `) })).toContainText(revenue);
  await page.getByRole("combobox", { name: "Granularity" }).selectOption("week");
  await expect(page.getByRole("img", { name: /Revenue in \d+ periods/ })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Week of" }).last()).toContainText(/\$/);
  await expectAccessible(page, "the home page with sales");

  // At a tablet's width the dashboard fits without scrolling sideways, and its sections stay reachable.
  await page.setViewportSize({ width: 768, height: 1024 });
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expectAccessible(page, "the home page at a tablet's width");
  await shopperContext.close();
  await storefrontContext.close();
});

test("an expired access token is renewed without losing the page", async ({ page }) => {
  await adminSignIn(page);
  // The next order list answers as the API does once the 15-minute access token has expired.
  let expired = 0;
  await page.route("**/api/v1/admin/orders?*", async (route) => {
    if (expired++ > 0) return route.fallback();
    await route.fulfill({
      status: 401,
      contentType: "application/problem+json",
      body: JSON.stringify({ type: "about:blank", title: "Not authorized", status: 401, code: "token_expired", detail: "the access token has expired" }),
    });
  });
  const renewed = page.waitForRequest((r) => r.url().endsWith("/api/v1/auth/refresh") && r.method() === "POST");
  await section(page, "Orders");
  const refresh = await renewed;
  expect(refresh.headers()["x-csrf-token"]).toBeTruthy();
  await expect(page.getByRole("table").or(page.getByText("No orders."))).toBeVisible();
  expect(expired).toBe(2);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1, name: "Orders" })).toBeVisible();
});
