#!/usr/bin/env bash
# Packs the three packages, then does what a new user does, outside the repo and from a local feed only:
# a fresh console app and a fresh ASP.NET Core app (LiteLlm.Extensions.AI), a fresh Semantic Kernel app with a tool
# (LiteLlm.SemanticKernel), and
# the gateway installed as a dotnet tool (litellm-dotnet) answering one request. Offline: the apps use mock/ models.
# Prints each app's restore graph (package count) and build output size. Usage: bash eng/try-packages.sh [work-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=${1:-}
own_work=false
if [ -z "$work" ]; then
  work=$(mktemp -d)
  own_work=true   # a work directory of our own is removed at the end; one given is kept for inspection
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
feed="$work/feed"
# A version of its own each run, so that the machine's package cache never hands back an older pack.
version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S)"
# That version is of no use once the run is over: take it out of the machine's package cache again.
gateway=
cleanup() {
  [ -z "$gateway" ] || kill "$gateway" 2> /dev/null || true
  for id in litellm.extensions.ai litellm.semantickernel litellm.gateway; do rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"; done
  [ "$own_work" = false ] || rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "try-packages: $*" >&2; exit 1; }

echo "== pack $version"
for project in src/LiteLlm.Extensions.AI src/LiteLlm.SemanticKernel src/LiteLlm.Gateway; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" -p:ContinuousIntegrationBuild=true -v q -nologo > "$work/pack.log" 2>&1 \
    || { cat "$work/pack.log"; fail "dotnet pack $project failed"; }
done

# What every package must carry: the license, the README, the repository, symbols.
for id in LiteLlm.Extensions.AI LiteLlm.SemanticKernel LiteLlm.Gateway; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "$id: no $nupkg"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$id: no symbol package (.snupkg)"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for needle in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' '<authors>' '<description>'; do
    grep -q -F "$needle" <<< "$nuspec" || fail "$id: the nuspec lacks $needle"
  done
  listing=$(unzip -l "$nupkg")   # captured first: grep -q closing a pipe early fails the pipeline under pipefail
  grep -q ' README.md$' <<< "$listing" || fail "$id: README.md is not in the package"
  grep -q ' LICENSE$' <<< "$listing" || fail "$id: LICENSE is not in the package"
done
grep -q '<packageType name="DotnetTool"' <<< "$(unzip -p "$feed/LiteLlm.Gateway.$version.nupkg" LiteLlm.Gateway.nuspec)" \
  || fail "LiteLlm.Gateway is not a dotnet tool package"

cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
EOF

# The restore graph and size of an app: packages in its assets file, bytes of its build output.
measure() {
  local dir=$1
  local packages
  packages=$(python3 -c 'import json,sys; print(sum(1 for v in json.load(open(sys.argv[1]))["libraries"].values() if v["type"] == "package"))' "$dir/obj/project.assets.json")
  echo "$(basename "$dir"): $packages packages restored, $(du -sk "$dir/bin/Release" | cut -f1) KiB build output"
}

new_app() {
  local name=$1 package=$2 template=${3:-console}
  rm -rf "${work:?}/$name"
  dotnet new "$template" -o "$work/$name" -n "$name" -v q > /dev/null
  cp "$work/nuget.config" "$work/$name/"
  (cd "$work/$name" && dotnet add package "$package" --version "$version" > "$work/$name.add.log" 2>&1) \
    || { cat "$work/$name.add.log"; fail "$name: dotnet add package $package failed"; }
}

run_app() {
  local name=$1 expected=$2
  local output
  (cd "$work/$name" && dotnet build -c Release -v q -nologo > "$work/$name.build.log" 2>&1) || { cat "$work/$name.build.log"; fail "$name: build failed"; }
  output=$(cd "$work/$name" && timeout 120 dotnet run -c Release --no-build 2>&1) || { echo "$output"; fail "$name: run failed"; }
  echo "$output"
  grep -q -F "$expected" <<< "$output" || fail "$name: expected '$expected' in its output"
  measure "$work/$name"
}

echo "== a console app on LiteLlm.Extensions.AI"
new_app HelloLiteLlm LiteLlm.Extensions.AI
cat > "$work/HelloLiteLlm/Program.cs" <<'EOF'
using LiteLlm;
using Microsoft.Extensions.AI;

// mock/ answers offline; "openai/gpt-4o-mini" with OPENAI_API_KEY set is the real thing.
ChatResponse response = await Llm.CompletionAsync("mock/demo", "Hello!");
Console.WriteLine(response.Text);
EOF
run_app HelloLiteLlm "Mock response to: Hello!"

echo "== an ASP.NET Core app on LiteLlm.Extensions.AI (Aspire-style registration from appsettings.json)"
new_app HelloWeb LiteLlm.Extensions.AI web
cat > "$work/HelloWeb/appsettings.json" <<'EOF'
{
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "LiteLlm": {
    "model_list": [
      { "model_name": "chat", "litellm_params": { "model": "mock/chat", "mock_response": "Hello from the web app." } }
    ]
  }
}
EOF
cat > "$work/HelloWeb/Program.cs" <<'EOF'
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.AddLiteLlmChatClient("chat");   // the LiteLlm section of appsettings.json, a keyed client and a health check
var app = builder.Build();
app.MapGet("/ask", async ([FromKeyedServices("chat")] IChatClient chat) => (await chat.GetResponseAsync("Hi")).Text);
app.MapGet("/healthz", async (HealthCheckService health) => (await health.CheckHealthAsync()).Status.ToString());
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };
Console.WriteLine(await http.GetStringAsync("/ask") + " health=" + await http.GetStringAsync("/healthz"));
await app.StopAsync();
EOF
run_app HelloWeb "Hello from the web app. health=Healthy"

echo "== a Semantic Kernel app with a plugin on LiteLlm.SemanticKernel"
new_app HelloKernel LiteLlm.SemanticKernel
cat > "$work/HelloKernel/Program.cs" <<'EOF'
using System.ComponentModel;
using LiteLlm.Providers;
using Microsoft.SemanticKernel;

var builder = Kernel.CreateBuilder();
// The mock asks for get_weather once (it matches SK's weather_get_weather), then answers from the result.
builder.AddLiteLlmChatClient("mock/agent", new ProviderOptions
{
    Settings = new Dictionary<string, object?> { ["mock_tool_calls"] = """[{"name":"get_weather","arguments":{"city":"Paris"}}]""" },
});
builder.Plugins.AddFromType<Weather>("weather");
var kernel = builder.Build();

var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
Console.WriteLine(await kernel.InvokePromptAsync("What's the weather in Paris?", new(settings)));

public sealed class Weather
{
    [KernelFunction("get_weather"), Description("Gets the weather in a city.")]
    public string GetWeather(string city) => $"Sunny in {city}";
}
EOF
run_app HelloKernel "weather_get_weather: Sunny in Paris"

echo "== the gateway as a dotnet tool"
rm -rf "$work/tools"
dotnet tool install LiteLlm.Gateway --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config" > "$work/tool.log" 2>&1 \
  || { cat "$work/tool.log"; fail "dotnet tool install LiteLlm.Gateway failed"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && exec "$work/tools/litellm-dotnet" --model mock/hello --host 127.0.0.1 --port "$port" > "$work/gateway.log" 2>&1) &
gateway=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health/liveliness" > /dev/null 2>&1 && break
  kill -0 "$gateway" 2> /dev/null || { cat "$work/gateway.log"; fail "litellm-dotnet exited at start"; }
  sleep 0.3
done
answer=$(curl -fs "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"mock/hello","messages":[{"role":"user","content":"Hello!"}]}') || { cat "$work/gateway.log"; fail "the gateway did not answer"; }
grep -q 'Mock response to: Hello!' <<< "$answer" || fail "unexpected gateway answer: $answer"
echo "litellm-dotnet answered: $answer"
kill "$gateway"
wait "$gateway" 2> /dev/null || true
gateway=

echo "try-packages: packed $version; the console app, the ASP.NET Core app, the Semantic Kernel app and the gateway tool work from the packages"
