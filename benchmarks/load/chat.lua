-- wrk script: POST one small OpenAI chat completion request.
-- BENCH_MODEL picks the model; BENCH_HEADERS adds headers ("Name: value|Name: value"), e.g. for a peer gateway.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "bench") .. '","messages":[{"role":"user","content":"Say hello."}]}'
