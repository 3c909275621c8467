// An OpenAI-compatible upstream that answers instantly (or slowly, or wrongly, on request).
//   dotnet run --project tests/LiteLlm.MockUpstream -- --port 9100 [--delay-ms 20] [--chunks 20]
// Faults are chosen per request by the model name ("fault-429", "fault-reset-after-first-chunk", …)
// or the header x-mock-fault; a per-request delay by x-mock-delay-ms. GET /faults lists them.
using LiteLlm.MockUpstream;

var options = MockOptions.Parse(args);
await using var app = await MockUpstreamServer.StartAsync(options);
Console.WriteLine($"mock upstream listening on {MockUpstreamServer.AddressOf(app)} (delay {options.DelayMs} ms, {options.Chunks} chunks)");
await app.WaitForShutdownAsync();
