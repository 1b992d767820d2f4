import type { ShopConfig } from "@nite/client";
import { api, unwrap } from "./api";

let config: Promise<ShopConfig> | null = null;

/** The shop's public settings (payment provider and Stripe's publishable key), fetched once. */
export function shopConfig(): Promise<ShopConfig> {
  config ??= (async () => unwrap(await api.GET("/api/v1/config")))().catch((error: unknown) => {
    config = null;
    throw error;
  });
  return config;
}
