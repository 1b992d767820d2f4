import type { Address } from "@nite/client";

/** A postal address as the checkout review and the order page show it. */
export function AddressBlock({ address: a }: { address: Address }) {
  return (
    <address className="not-italic text-gray-200">
      {a.name}
      <br />
      {a.line1}
      {a.line2 ? `, ${a.line2}` : ""}
      <br />
      {a.city}
      {a.region ? `, ${a.region}` : ""} {a.postal_code}, {a.country}
    </address>
  );
}
