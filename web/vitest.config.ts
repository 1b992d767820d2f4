import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Unit and component tests of the client, the storefront and the dashboard (jsdom; the browser tests are Playwright's, in e2e/).
export default defineConfig({
  plugins: [react()],
  test: {
    environment: "jsdom",
    include: ["client/src/**/*.test.ts", "shop/src/**/*.test.{ts,tsx}", "admin/src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // Lets Testing Library unmount each test's render after it.
    globals: true,
  },
});
