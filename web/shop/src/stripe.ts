// Stripe's Payment Element, for shops that take payments with Stripe. Stripe.js must come from js.stripe.com
// (Stripe's rule), so it is loaded only when the shop runs on Stripe and the shopper reaches payment.

interface StripeElement {
  mount: (el: HTMLElement) => void;
  destroy: () => void;
}
interface StripeElements {
  create: (type: "payment") => StripeElement;
}
interface StripeInstance {
  elements: (options: { clientSecret: string }) => StripeElements;
  confirmPayment: (options: {
    elements: StripeElements;
    confirmParams: { return_url: string };
  }) => Promise<{ error?: { message?: string } }>;
}
declare global {
  interface Window {
    Stripe?: (key: string) => StripeInstance;
  }
}

let loading: Promise<NonNullable<Window["Stripe"]>> | null = null;

function loadStripe(): Promise<NonNullable<Window["Stripe"]>> {
  loading ??= new Promise((resolve, reject) => {
    if (window.Stripe) return resolve(window.Stripe);
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3/";
    script.async = true;
    script.onload = () => (window.Stripe ? resolve(window.Stripe) : reject(new Error("Stripe.js did not load")));
    script.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js could not be loaded"));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** Mounts the Payment Element for a payment's client secret; `pay` confirms it (Stripe redirects for 3-D Secure). */
export async function mountPaymentElement(
  publishableKey: string,
  clientSecret: string,
  container: HTMLElement,
  returnUrl: string,
): Promise<{ pay: () => Promise<string | null>; unmount: () => void }> {
  const Stripe = await loadStripe();
  const stripe = Stripe(publishableKey);
  const elements = stripe.elements({ clientSecret });
  const element = elements.create("payment");
  element.mount(container);
  return {
    async pay() {
      const result = await stripe.confirmPayment({ elements, confirmParams: { return_url: returnUrl } });
      return result.error?.message ?? null;
    },
    unmount: () => element.destroy(),
  };
}
