-- wrk: the seed call for a random one of 20 tenants.
request = function()
  return wrk.format("GET", "/v1/metrics?tenant_id=tenant-" .. math.random(0, 19))
end
