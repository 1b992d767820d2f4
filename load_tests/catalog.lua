-- wrk script: catalog reads, as a storefront makes them. Each connection cycles through the product list and the
-- three product pages. Run by load_tests/run; alone: wrk -t2 -c32 -d20s --latency -s catalog.lua http://127.0.0.1:PORT
local paths = {
  "/api/v1/products",
  "/api/v1/products/niteputter-pro",
  "/api/v1/products/niteputter-basic",
  "/api/v1/products/niteputter-complete-system",
}
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

local statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency)
  io.write(string.format("catalog: %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
