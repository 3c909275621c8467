-- wrk script: POST one small OpenAI chat completion request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "bench") .. '","messages":[{"role":"user","content":"Say hello."}]}'
