-- wrk: cost per model per day over 30 days for a random tenant.
local from = os.getenv("FROM")
local to = os.getenv("TO")
request = function()
  return wrk.format("GET", "/v1/metrics?tenant_id=tenant-" .. math.random(0, 19)
    .. "&granularity=1d&group_by=model&limit=1000&from=" .. from .. "&to=" .. to)
end
