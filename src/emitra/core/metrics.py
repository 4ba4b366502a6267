"""Prometheus metrics of the web process."""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "emitra_http_requests_total", "HTTP requests by view and status", ["method", "view", "status"]
)
LATENCY = Histogram(
    "emitra_http_request_seconds",
    "HTTP request duration by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
