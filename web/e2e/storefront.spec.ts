import type { Cart, Order, Schemas } from "@nite/client";
import { expect, test } from "@playwright/test";
import { addToCart, adminToken, checkout, expectAccessible, fillDetails, uniqueEmail, waitForEmail } from "./helpers";

test("a guest buys two tiers with NITE10, by keyboard, and pays", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Putt after dark" })).toBeVisible();
  await expect(page.getByTestId("product-list").getByRole("listitem")).toHaveCount(3);
  await expectAccessible(page, "the catalog");

  // The Pro, in green, from its page: the drawer opens on add, holds the focus, and Escape closes it.
  await page.getByRole("link", { name: "NitePutter Pro" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/products\/niteputter-pro$/);
  await expect(page.getByRole("heading", { level: 1, name: "NitePutter Pro" })).toBeVisible();
  await expect(page.getByTestId("price")).toContainText("$89.99");
  await expect(page.getByTestId("price")).toContainText("$99.99");
  await expectAccessible(page, "a product page");
  await page.getByRole("button", { name: "Add to cart" }).focus();
  await page.keyboard.press("Enter");
  const drawer = page.getByRole("dialog", { name: "Your cart" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole("list", { name: "Items in your cart" })).toContainText("NitePutter Pro");
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    expect(await drawer.evaluate((d) => d.contains(document.activeElement)), "focus stays in the drawer").toBe(true);
  }
  await expectAccessible(page, "the cart drawer");
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();

  // The Basic, from the catalog.
  await page.goto("/products/niteputter-basic");
  await page.getByRole("button", { name: "Add to cart" }).focus();
  await page.keyboard.press("Enter");
  await expect(drawer.getByRole("list", { name: "Items in your cart" }).getByRole("listitem")).toHaveCount(2);
  await expect(page.getByRole("button", { name: /^Cart, 2 items/ })).toBeAttached();

  // NITE10: applied, and the totals are the API's.
  await drawer.getByLabel("Discount code", { exact: true }).fill("NITE10");
  await page.keyboard.press("Enter");
  await expect(drawer.getByRole("list", { name: "Discount codes" })).toContainText("NITE10 applied");
  const cartTotal = await drawer.getByTestId("total").textContent();
  const cartId = await page.evaluate(() => localStorage.getItem("nite.cart"));
  const priced = (await (await page.request.get(`/api/v1/carts/${cartId ?? ""}`)).json()) as Cart;
  expect(cartTotal).toBe(new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(priced.totals.total.amount as Intl.StringNumericLiteral));
  expect(priced.totals.discount.amount).not.toBe("0.00");
  await drawer.getByRole("link", { name: "Check out" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/checkout\/details$/);
  await expectAccessible(page, "checkout: details");

  const email = uniqueEmail("guest");
  const orderId = await checkout(page, email, { keyboard: true });
  await expectAccessible(page, "the confirmation");
  await expect(page.getByTestId("order-state")).toHaveText(/Paid/);

  // The order is paid in the API (read with the guest's HttpOnly order cookie), the email is on disk, the cart is empty.
  const order = (await (await page.request.get(`/api/v1/orders/${orderId}`)).json()) as Order;
  expect(order.state).toBe("paid");
  expect(order.promotions.map((p) => p.code)).toContain("NITE10");
  await waitForEmail(orderId, email);
  await expect(page.getByRole("button", { name: /^Cart, 0 items/ })).toBeAttached();
  expect(await page.evaluate(() => localStorage.getItem("nite.cart"))).toBeNull();
});

test("a code that does not apply says why", async ({ page }) => {
  await page.goto("/products/niteputter-basic");
  await page.getByRole("button", { name: "Add to cart" }).click();
  const drawer = page.getByRole("dialog", { name: "Your cart" });
  await drawer.getByLabel("Discount code", { exact: true }).fill("NITE10");
  await drawer.getByRole("button", { name: "Apply" }).click();
  await expect(drawer.getByTestId("code-why")).toHaveText("Your order is below this code's minimum amount.");
  await drawer.getByLabel("Discount code", { exact: true }).fill("NOSUCHCODE");
  await drawer.getByRole("button", { name: "Apply" }).click();
  await expect(drawer.getByRole("alert")).toHaveText("We don't know this code. Check the spelling.");
  await expect(drawer.getByTestId("free-shipping")).toContainText("more for free standard shipping");
  await expectAccessible(page, "the drawer with codes that do not apply");
});

test("a double-clicked place order makes one order", async ({ page, request }) => {
  await addToCart(page, "niteputter-basic");
  const email = uniqueEmail("double");
  const checkouts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/checkout")) checkouts.push(r.headers()["idempotency-key"] ?? "");
  });
  await fillDetails(page, email, "Double Click");
  await page.getByRole("button", { name: "Continue to shipping" }).click();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.getByRole("button", { name: "Continue to review" }).click();
  await expectAccessible(page, "checkout: review");
  await page.getByRole("button", { name: /^Place order/ }).dblclick();
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  expect(checkouts, "one request for the attempt").toHaveLength(1);

  const token = await adminToken(request);
  const listed = (await (
    await request.get("/api/v1/admin/orders?limit=100", { headers: { Authorization: `Bearer ${token}` } })
  ).json()) as { data: Order[] };
  expect(listed.data.filter((o) => o.email === email)).toHaveLength(1);
});

test("a cart survives a reload", async ({ page }) => {
  await page.goto("/products/niteputter-complete-system");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("dialog", { name: "Your cart" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: /^Cart, 1 item/ })).toBeAttached();
  await page.goto("/cart");
  await expect(page.getByRole("list", { name: "Items in your cart" })).toContainText("NitePutter Complete System");
  await expectAccessible(page, "the cart page");
});

test("a customer signs in, sees the order and its tracking once shipped", async ({ page, request }) => {
  const email = uniqueEmail("customer");
  await page.goto("/register");
  await expectAccessible(page, "registration");
  await page.getByLabel("Name").fill("Grace Hopper");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password (at least 10 characters)").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();

  await page.goto("/products/niteputter-pro");
  await page.getByRole("radio", { name: "Multicolour" }).check({ force: true });
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("dialog", { name: "Your cart" })).toContainText("Multicolour");
  await page.keyboard.press("Escape");
  const orderId = await checkout(page, email);

  // No token anywhere script can read it: only the cart id (now gone) ever sat in storage.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(stored).not.toMatch(/eyJ|refresh/);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "nite_refresh")?.httpOnly).toBe(true);

  // Sign out and back in; the order is in the history.
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/sign-in");
  await expectAccessible(page, "sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByTestId("order-history")).toContainText(orderId);
  await expectAccessible(page, "the account");
  await page.getByLabel("Name").fill("Grace B. Hopper");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const me = await page.request.get("/api/v1/me");
  expect(me.status(), "the access token is in memory only: the page's request context has none").toBe(401);
  await page.reload();
  await expect(page.getByLabel("Name")).toHaveValue("Grace B. Hopper");

  // An administrator ships it; the order page shows the tracking, also after a reload (the session comes back).
  const token = await adminToken(request);
  const shipped = await request.post(`/api/v1/admin/orders/${orderId}/ship`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { carrier: "UPS", tracking_number: "1Z999AA10123456784" },
  });
  expect(shipped.status()).toBe(200);
  await page.getByRole("link", { name: `Order ${orderId}` }).click();
  await page.reload();
  await expect(page.getByTestId("tracking")).toContainText("1Z999AA10123456784");
  await expect(page.getByTestId("order-state")).toHaveText("Shipped");
  await expectAccessible(page, "a shipped order");

  // A buyer reviews what they bought; once approved, the review and the rating show on the product page and in its
  // JSON-LD.
  await page.goto("/products/niteputter-pro");
  await page.getByLabel("Rating").selectOption("4");
  await page.getByLabel("Title").fill("Bright enough for midnight putting");
  await page.getByLabel("Review", { exact: true }).fill("The multicolour ring is easy to see from across the green.");
  await expectAccessible(page, "the review form");
  await page.getByRole("button", { name: "Submit review" }).click();
  await expect(page.getByRole("status")).toContainText("Your review will appear once it has been checked");
  const pending = (await (
    await request.get("/api/v1/admin/reviews?status=pending&limit=100", { headers: { Authorization: `Bearer ${token}` } })
  ).json()) as { data: { id: string; title: string }[] };
  const review = pending.data.find((r) => r.title === "Bright enough for midnight putting");
  expect(review).toBeTruthy();
  const approved = await request.post(`/api/v1/admin/reviews/${review?.id ?? ""}/approve`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(approved.status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("reviews")).toContainText("Bright enough for midnight putting");
  await expect(page.getByTestId("reviews")).toContainText("by Grace B. Hopper");
  const html = await (await request.get("/products/niteputter-pro")).text();
  expect(html).toContain('"aggregateRating":{"@type":"AggregateRating"');
  expect(html).toContain('"reviewCount":1');
});

test("a password is reset through the link in the email", async ({ page, request }) => {
  const email = uniqueEmail("forgetful");
  const created = await request.post("/api/v1/auth/register", {
    data: { email, password: "the first password", name: "Forgetful" },
  });
  expect(created.status()).toBe(201);
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expectAccessible(page, "the reset request");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByRole("status")).toContainText("on its way");

  const mail = await waitForEmail(email, "reset-password?token=");
  const link = /https?:\/\/[^\s"<>]+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail)?.[0];
  expect(link).toBeTruthy();
  await page.goto(new URL(link ?? "").pathname + new URL(link ?? "").search);
  await expect(page).toHaveURL(/\/reset-password$/); // the token leaves the address bar
  await page.getByLabel("New password (at least 10 characters)").fill("the second password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password is changed");
  await expectAccessible(page, "the reset confirmation");
  await page.getByRole("link", { name: "Sign in" }).last().click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("the second password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
});

test("a total that changed before checkout is shown, then accepted", async ({ page, request }) => {
  const token = await adminToken(request);
  const auth = { Authorization: `Bearer ${token}` };
  const product = (await (await request.get("/api/v1/admin/products/prod_complete", { headers: auth })).json()) as Schemas["Product"];
  const variants = structuredClone(product.variants);
  await addToCart(page, "niteputter-complete-system");
  await fillDetails(page, uniqueEmail("changed"), "Price Watcher");
  await page.getByRole("button", { name: "Continue to shipping" }).click();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.getByRole("button", { name: "Continue to review" }).click();
  const before = await page.getByRole("button", { name: /^Place order/ }).textContent();

  // The price goes up while the shopper reads the review.
  const raised = structuredClone(variants);
  const first = raised[0];
  if (!first) throw new Error("the Complete System has a variant");
  first.price = { amount: "189.99", currency: "USD" };
  try {
    expect((await request.patch("/api/v1/admin/products/prod_complete", { headers: auth, data: { variants: raised } })).status()).toBe(200);
    await page.getByRole("button", { name: /^Place order/ }).click();
    await expect(page.getByTestId("total-changed")).toContainText("Your total changed");
    const after = await page.getByRole("button", { name: /^Place order/ }).textContent();
    expect(after).not.toBe(before);
    await expectAccessible(page, "the changed total");
    await page.getByRole("button", { name: /^Place order/ }).click();
    await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  } finally {
    await request.patch("/api/v1/admin/products/prod_complete", { headers: auth, data: { variants } });
  }
});

test("an unknown page says so, in words", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no page here" })).toBeVisible();
  await expectAccessible(page, "the not-found page");
  await page.goto("/products/no-such-light");
  await expect(page.getByRole("heading", { name: "This light is not here" })).toBeVisible();
});
