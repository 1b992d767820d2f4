"""Locust: the shopper's whole journey against niteputter, each user buying over and over as a guest: list the
catalog, open the Pro page, create a cart, add a Pro and a Basic, enter NITE10, set the address, quote and choose
shipping, check out with an Idempotency-Key, pay with the test provider and read the paid order with its token.

Each request is timed on its own, and the whole journey is reported as one more entry, "journey (12 requests)".
Run by load_tests/run; alone:
    locust -f journey.py --headless -u 8 -r 8 -t 30s --host http://127.0.0.1:PORT --only-summary
With NITE_LOAD_HOSTS=http://127.0.0.1:P1,http://127.0.0.1:P2 the requests go to those servers in turn, as a
round-robin load balancer would send them (a cart made on one is filled and checked out on the others).
"""

import itertools
import os
import time
import uuid

from locust import HttpUser, constant, events, task

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Market St", "city": "San Francisco", "region": "CA",
           "postal_code": "94105", "country": "US"}


HOSTS = [h.strip() for h in os.environ.get("NITE_LOAD_HOSTS", "").split(",") if h.strip()]


class Shopper(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.hosts = itertools.cycle(HOSTS or [""])

    def call(self, method, path, name, expect, **kwargs):
        url = next(self.hosts) + "/api/v1" + path
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                raise RuntimeError(f"{name} answered {response.status_code}")
            return response.json()

    @task
    def buy(self):
        started = time.perf_counter()
        try:
            self.call("GET", "/products", "GET /products", 200)
            self.call("GET", "/products/niteputter-pro", "GET /products/{slug}", 200)
            cart = self.call("POST", "/carts", "POST /carts", 201)["id"]
            base = f"/carts/{cart}"
            self.call("POST", base + "/items", "POST /carts/{id}/items", 201, json={"sku": "NP-PRO-GRN", "quantity": 1})
            self.call("POST", base + "/items", "POST /carts/{id}/items", 201,
                      json={"sku": "NP-BASIC-GRN", "quantity": 1})
            self.call("POST", base + "/discount-codes", "POST /carts/{id}/discount-codes", 200, json={"code": "NITE10"})
            self.call("PUT", base + "/addresses", "PUT /carts/{id}/addresses", 200,
                      json={"email": "load@example.com", "shipping_address": ADDRESS})
            rates = self.call("GET", base + "/shipping-options", "GET /carts/{id}/shipping-options", 200)
            self.call("PUT", base + "/shipping-option", "PUT /carts/{id}/shipping-option", 200,
                      json={"id": rates["data"][0]["id"]})
            placed = self.call("POST", base + "/checkout", "POST /carts/{id}/checkout", 201,
                               headers={"Idempotency-Key": str(uuid.uuid4())})
            payment = placed["payment"]["id"]
            self.call("POST", f"/payments/{payment}/test-confirm", "POST /payments/{id}/test-confirm", 200,
                      json={"outcome": "succeeded"})
            order = self.call("GET", f"/orders/{placed['order']['id']}", "GET /orders/{id}", 200,
                              headers={"X-Order-Token": placed["order_token"]})
            if order["state"] != "paid":
                raise RuntimeError(f"order is {order['state']}")
        except Exception as error:  # noqa: BLE001 - one failed journey is reported, the user goes on
            events.request.fire(request_type="JOURNEY", name="journey (12 requests)", response_time=0,
                                response_length=0, exception=error, context={})
            return
        events.request.fire(request_type="JOURNEY", name="journey (12 requests)",
                            response_time=(time.perf_counter() - started) * 1000, response_length=0, exception=None,
                            context={})
