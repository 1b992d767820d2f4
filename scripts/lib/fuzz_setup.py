"""Makes the records schemathesis needs real ids for, through the API itself, and prints them as shell variables:
a customer's open cart, a paid order (with its payment and token) bought by that customer, a review waiting for
moderation, and an administrator's access token. Usage: fuzz_setup.py BASE_URL ADMIN_EMAIL ADMIN_PASSWORD"""

import json
import sys
import urllib.request

base, admin_email, admin_password = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, token=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


admin = call("POST", "/auth/login", {"email": admin_email, "password": admin_password})["access_token"]
buyer = call("POST", "/auth/register", {"email": "fuzz-buyer@example.com", "password": "fuzz buyer password",
                                        "name": "Fuzz Buyer"})["access_token"]
address = {"name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
           "postal_code": "94105", "country": "US"}

def buy(sku, key):
    """The buyer's order of one `sku`, placed and paid: (order, payment, order token)."""
    cart = call("POST", "/carts", token=buyer)["id"]
    call("POST", f"/carts/{cart}/items", {"sku": sku, "quantity": 1}, token=buyer)
    call("PUT", f"/carts/{cart}/addresses", {"email": "fuzz-buyer@example.com", "shipping_address": address},
         token=buyer)
    rate = call("GET", f"/carts/{cart}/shipping-options", token=buyer)["data"][0]["id"]
    call("PUT", f"/carts/{cart}/shipping-option", {"id": rate}, token=buyer)
    placed = call("POST", f"/carts/{cart}/checkout", token=buyer, headers={"idempotency-key": key})
    call("POST", f"/payments/{placed['payment']['id']}/test-confirm", {"outcome": "succeeded"})
    return placed["order"]["id"], placed["payment"]["id"], placed["order_token"]


order, payment, order_token = buy("NP-PRO-GRN", "fuzz-setup")

# A second order, delivered, so the buyer may review; the review waits for moderation.
delivered, _, _ = buy("NP-BASIC-GRN", "fuzz-setup-2")
call("POST", f"/admin/orders/{delivered}/ship", {"carrier": "ups", "tracking_number": "1Z999"}, token=admin)
call("POST", f"/admin/orders/{delivered}/deliver", token=admin)
review = call("POST", "/products/niteputter-basic/reviews", {"rating": 5, "title": "Bright", "body": "Lights the cup."},
              token=buyer)["id"]

# The open cart the cart routes are fuzzed against.
open_cart = call("POST", "/carts", token=buyer)["id"]
call("POST", f"/carts/{open_cart}/items", {"sku": "NP-PRO-RGB", "quantity": 1}, token=buyer)
line = call("GET", f"/carts/{open_cart}", token=buyer)["lines"][0]["id"]

for name, value in [("ADMIN_TOKEN", admin), ("BUYER_TOKEN", buyer), ("CART_ID", open_cart), ("LINE_ID", line),
                    ("ORDER_ID", order), ("PAYMENT_ID", payment), ("ORDER_TOKEN", order_token),
                    ("REVIEW_ID", review)]:
    print(f"export FUZZ_{name}='{value}'")
