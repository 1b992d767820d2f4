// A stand-in for https://js.stripe.com/v3/ (served by the browser test in its place: no network here). It keeps
// Stripe.js's shape as the storefront uses it: Stripe(key).elements({clientSecret}).create("payment").mount(el), and
// confirmPayment({elements, confirmParams: {return_url}}), which "authenticates" (a call to api.stripe.com that the
// test answers by completing the payment) and then redirects to return_url as Stripe does after 3-D Secure.
window.Stripe = function (key) {
  if (!key.startsWith("pk_")) throw new Error("a publishable key is needed");
  let secret = "";
  return {
    elements(options) {
      secret = options.clientSecret;
      return {
        create(type) {
          if (type !== "payment") throw new Error("only the Payment Element");
          let mounted = null;
          return {
            mount(el) {
              mounted = el;
              el.innerHTML = '<label>Card number <input name="card" autocomplete="cc-number" value="4000 0027 6000 3184"></label>';
            },
            destroy() {
              if (mounted) mounted.innerHTML = "";
            },
          };
        },
      };
    },
    async confirmPayment(options) {
      const intent = secret.split("_secret_")[0];
      const response = await fetch(`https://api.stripe.com/v1/payment_intents/${intent}/confirm`, { method: "POST" });
      if (!response.ok) return { error: { message: "Your card was declined." } };
      const url = new URL(options.confirmParams.return_url);
      url.searchParams.set("payment_intent", intent);
      url.searchParams.set("payment_intent_client_secret", secret);
      url.searchParams.set("redirect_status", "succeeded");
      window.location.assign(url.toString());
      return {};
    },
  };
};
