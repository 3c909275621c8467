#!/usr/bin/env bash
# Runs every sample offline (mock provider, no keys, no network) from an already built solution.
# Usage: dotnet build Integration.sln && bash samples/run-offline.sh
set -uo pipefail
cd "$(dirname "$0")/.."

# Provider keys in the environment must not turn an offline run into a network call.
unset KLUSTER_API_KEY

samples=(QuickStart SameCodeAcrossProviders RouterWithFallbacks CostAndBudgets ToolCallingLoop SemanticKernelAgent CustomEndpoint)
failed=()
for sample in "${samples[@]}"; do
  echo "=== $sample"
  if ! timeout 180 dotnet run --project "samples/$sample" --no-build; then
    failed+=("$sample")
  fi
done

# The ASP.NET sample answers one question in-process and exits.
echo "=== AspNetApp"
if ! (cd samples/AspNetApp && timeout 180 dotnet run --no-build -- --self-test); then
  failed+=("AspNetApp")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "All $((${#samples[@]} + 1)) samples ran offline."
