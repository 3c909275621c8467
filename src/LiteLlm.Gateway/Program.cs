// The gateway's entry point. Hosting, endpoints, auth and spend are filled in by the gateway issue.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/health/liveliness", () => Results.Text("I'm alive!"));
await app.RunAsync();
