import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w @nite/admin` serves the dashboard with hot reload at /admin/ and sends the API to a running
// niteputter (NITE_API, by default http://127.0.0.1:8080). `npm run build` writes the files the binary embeds.
const api = process.env.NITE_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/admin/",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "../../nite-http/assets/admin",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    proxy: { "/api": api },
  },
});
