import { expect, test } from "@playwright/test";
import { addToCart, expectAccessible } from "./helpers";

// Screenshot baselines at desktop width and at 360 px (the `desktop` and `phone` projects), taken on the freshly
// seeded shop before the flows (the `flows` project) add reviews and sell stock.
test("the catalog", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("product-list").getByRole("listitem")).toHaveCount(3);
  await expectAccessible(page, "the catalog");
  await expect(page).toHaveScreenshot("catalog.png", { fullPage: true });
});

test("a product page", async ({ page }) => {
  await page.goto("/products/niteputter-pro");
  await expect(page.getByRole("heading", { name: "Reviews" })).toBeVisible();
  await expect(page.getByText(/No reviews yet|out of 5/).first()).toBeVisible();
  // The gallery changes image with the arrow keys.
  const thumbs = page.getByRole("toolbar", { name: "Product images" }).getByRole("button");
  await thumbs.first().focus();
  await page.keyboard.press("ArrowRight");
  await expect(thumbs.nth(1)).toBeFocused();
  await expect(thumbs.nth(1)).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("ArrowLeft");
  await expect(thumbs.first()).toHaveAttribute("aria-pressed", "true");
  await expectAccessible(page, "a product page");
  await expect(page).toHaveScreenshot("product.png", { fullPage: true });
});

test("the cart", async ({ page }) => {
  await page.goto("/products/niteputter-basic");
  await page.getByRole("button", { name: "Add to cart" }).click();
  const drawer = page.getByRole("dialog", { name: "Your cart" });
  await expect(drawer.getByTestId("total")).toBeVisible();
  await expectAccessible(page, "the cart drawer");
  await expect(page).toHaveScreenshot("cart.png");
});

test("checkout", async ({ page }) => {
  await addToCart(page, "niteputter-basic");
  await page.goto("/checkout/details");
  await expect(page.getByRole("heading", { name: "Contact and address" })).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Order summary" }).getByTestId("total")).toHaveText("$49.99");
  await expectAccessible(page, "checkout: details");
  await expect(page).toHaveScreenshot("checkout.png", { fullPage: true });
});
