#!/usr/bin/env python3
"""Abuse run against a niteputter on 127.0.0.1, bounded in time and count: resident memory and /healthz latency
while hostile clients do their worst.

    load_tests/abuse.py BASE_URL SERVER_PID [--seconds N]

Phase 1, bad sign-ins: 200 clients (each from its own loopback address, 127.0.4.1 up, so no per-client limit
stops them first) post wrong passwords for unknown addresses, as fast as the server answers, for N seconds.
Phase 2, slow clients: 300 connections send one header byte every 2 s for N seconds (slowloris).
In both, a prober asks /healthz every 50 ms from a fresh connection, and the server's VmRSS is sampled every 200 ms.
Only standard library; every loop stops by the clock.
"""

import argparse
import json
import socket
import threading
import time
import urllib.parse


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(host, port, raw, source=None, timeout=10.0):
    """One request on a fresh connection; the status code (0 when the connection failed)."""
    try:
        with socket.create_connection((host, port), timeout=timeout, source_address=source) as s:
            s.sendall(raw)
            head = s.recv(64)
            return int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    except OSError:
        return 0


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Probe:
    """/healthz latency and resident memory while a phase runs."""

    def __init__(self, host, port, pid):
        self.host, self.port, self.pid = host, port, pid
        self.latencies, self.failures, self.rss = [], 0, []
        self.stop = threading.Event()

    def health(self):
        raw = f"GET /healthz HTTP/1.1\r\nhost: {self.host}\r\nconnection: close\r\n\r\n".encode()
        while not self.stop.is_set():
            started = time.perf_counter()
            status = request(self.host, self.port, raw)
            if status == 200:
                self.latencies.append((time.perf_counter() - started) * 1000)
            else:
                self.failures += 1
            time.sleep(0.05)

    def memory(self):
        while not self.stop.is_set():
            self.rss.append(rss_kib(self.pid))
            time.sleep(0.2)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.health), threading.Thread(target=self.memory)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for t in self.threads:
            t.join()

    def report(self, name):
        lat = self.latencies
        print(f"{name}: /healthz {len(lat)} answered, {self.failures} failed; p50 {percentile(lat, 50):.1f} ms, "
              f"p99 {percentile(lat, 99):.1f} ms, max {max(lat, default=float('nan')):.1f} ms; "
              f"resident memory peak {max(self.rss, default=0) / 1024:.1f} MB")


def bad_sign_ins(host, port, seconds, clients=200):
    deadline = time.monotonic() + seconds
    counts, lock = {}, threading.Lock()

    def client(n):
        source = (f"127.0.4.{n % 250 + 1}" if n < 250 else f"127.0.5.{n - 249}", 0)
        while time.monotonic() < deadline:
            body = json.dumps({"email": f"nobody{n}-{time.monotonic_ns()}@example.com",
                               "password": "not the password at all"}).encode()
            raw = (f"POST /api/v1/auth/login HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n"
                   f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body
            status = request(host, port, raw, source=source)
            with lock:
                counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def slow_clients(host, port, seconds, clients=300):
    deadline = time.monotonic() + seconds
    closed = [0]
    lock = threading.Lock()

    def client():
        try:
            s = socket.create_connection((host, port), timeout=5)
        except OSError:
            return
        head = b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: " + b"a" * 1000
        try:
            for byte in head:
                if time.monotonic() >= deadline:
                    break
                s.sendall(bytes([byte]))
                time.sleep(2)
        except OSError:
            with lock:
                closed[0] += 1
        finally:
            s.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return closed[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("pid", type=int)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    host, port = url.hostname, url.port
    assert host in ("127.0.0.1", "localhost"), "abuse runs target this machine only"
    print(f"idle: resident memory {rss_kib(args.pid) / 1024:.1f} MB")
    with Probe(host, port, args.pid) as probe:
        counts = bad_sign_ins(host, port, args.seconds)
    probe.report(f"bad sign-ins ({args.seconds} s, 200 clients)")
    print(f"  answers: {dict(sorted(counts.items()))}")
    time.sleep(1)
    with Probe(host, port, args.pid) as probe:
        cut = slow_clients(host, port, args.seconds)
    probe.report(f"slow clients ({args.seconds} s, 300 connections, a byte every 2 s)")
    print(f"  connections the server cut off: {cut} of 300")
    time.sleep(2)
    print(f"after: resident memory {rss_kib(args.pid) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
