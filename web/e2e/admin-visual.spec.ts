import { expect, test } from "@playwright/test";
import { adminSignIn, buyThroughApi, expectAccessible } from "./helpers";

// Screenshot baselines of the dashboard at desktop width (the `desktop` project; the dashboard is for laptops and
// tablets, so the phone project skips it), on the freshly seeded shop. Times and ids change every run: they are
// masked.
test.skip(({ isMobile }) => isMobile, "the dashboard is for laptops and tablets");

test("the dashboard's home", async ({ page }) => {
  await adminSignIn(page);
  await expect(page.getByTestId("today-revenue")).toBeVisible();
  await expect(page.getByRole("img", { name: /Revenue in 30 periods/ })).toBeVisible();
  await expect(page.getByText("Waiting", { exact: true })).toBeVisible();
  await expectAccessible(page, "the dashboard's home");
  // The conversion depends on product views, which the storefront's screenshots may have made already.
  await expect(page).toHaveScreenshot("admin-home.png", {
    fullPage: true,
    mask: [page.getByTestId("today-conversion"), page.getByTestId("this-month-conversion")],
  });
});

test("an order in the dashboard", async ({ page, request }) => {
  const id = await buyThroughApi(request, "visual@example.com", "NP-PRO-GRN");
  await adminSignIn(page);
  await page.goto(`/admin/orders/${id}`);
  await expect(page.getByRole("button", { name: "Ship" })).toBeVisible();
  await expectAccessible(page, "an order in the dashboard");
  await expect(page).toHaveScreenshot("admin-order.png", {
    fullPage: true,
    mask: [page.locator("time"), page.getByRole("heading", { level: 1 })],
  });
});

test("the promotion editor", async ({ page }) => {
  await adminSignIn(page);
  await page.goto("/admin/promotions/promo_nite10");
  await expect(page.getByTestId("preview-verdict")).toHaveText(/does not apply: The cart's subtotal is below its minimum/);
  await expectAccessible(page, "the promotion editor");
  await expect(page).toHaveScreenshot("admin-promotion.png", { fullPage: true });
});
