// The storefront's entry: small on purpose. A product page arrives with its first screen already in the HTML (the
// server writes it), so the app (React and the pages, in its own chunk) is fetched only after the browser has
// painted that screen, image included: the largest paint never waits for the script. Other pages load the app at
// once.
import "./index.css";

const root = document.getElementById("root");

function start(): void {
  if (root) void import("./app").then((app) => app.mount(root));
}

function afterPaint(): void {
  requestAnimationFrame(() => setTimeout(start, 0));
}

if (root && root.childElementCount > 0) {
  const image = root.querySelector("img");
  if (!image || image.complete) {
    afterPaint();
  } else {
    let started = false;
    const once = () => {
      if (started) return;
      started = true;
      afterPaint();
    };
    image.addEventListener("load", once, { once: true });
    image.addEventListener("error", once, { once: true });
    setTimeout(once, 1000);
  }
} else {
  start();
}
