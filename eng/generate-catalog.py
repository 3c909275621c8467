#!/usr/bin/env python3
"""Regenerates src/LiteLlm.Extensions.AI/Models/catalog.json from LiteLLM's model price and
context-window map (../shared/data/model_prices_and_context_window.json, MIT).

Only facts are kept: provider, mode, context limits, per-token prices and capability flags.
The output is committed so that the library never touches the network at start-up.
Usage: python3 eng/generate-catalog.py [path-to-source-json]
"""
import json, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'shared', 'data', 'model_prices_and_context_window.json')
dst = os.path.join(here, '..', 'src', 'LiteLlm.Extensions.AI', 'Models', 'catalog.json')

NUMBERS = {
    'max_input_tokens': 'maxInput', 'max_output_tokens': 'maxOutput', 'max_tokens': 'maxTokens',
    'input_cost_per_token': 'in', 'output_cost_per_token': 'out',
    'output_cost_per_reasoning_token': 'reasoning',
    'cache_read_input_token_cost': 'cacheRead', 'cache_creation_input_token_cost': 'cacheWrite',
    'cache_creation_input_token_cost_above_1hr': 'cacheWrite1h',
    'input_cost_per_token_above_128k_tokens': 'in128k', 'output_cost_per_token_above_128k_tokens': 'out128k',
    'input_cost_per_token_above_200k_tokens': 'in200k', 'output_cost_per_token_above_200k_tokens': 'out200k',
    'cache_read_input_token_cost_above_200k_tokens': 'cacheRead200k',
    'cache_creation_input_token_cost_above_200k_tokens': 'cacheWrite200k',
    'input_cost_per_token_batches': 'inBatch', 'output_cost_per_token_batches': 'outBatch',
    'output_vector_size': 'dims',
}

TIER = re.compile(r'(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens')
TIER_FIELDS = {'input_cost_per_token': 'in', 'output_cost_per_token': 'out',
               'cache_read_input_token_cost': 'cacheRead', 'cache_creation_input_token_cost': 'cacheWrite'}

def num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v

data = json.load(open(src, encoding='utf-8'))
out = {}
for name, e in sorted(data.items()):
    if name == 'sample_spec' or not isinstance(e, dict) or not e.get('litellm_provider'):
        continue
    m = {'provider': e['litellm_provider']}
    if isinstance(e.get('mode'), str):
        m['mode'] = e['mode']
    for k, short in NUMBERS.items():
        v = num(e.get(k))
        if v is not None:
            m[short] = v
    # Every "<price>_above_<N>k_tokens" price, grouped by threshold (priority-tier variants are left out):
    # tiers = [{"above": N*1000, "in":…, "out":…, "cacheRead":…, "cacheWrite":…}], ascending.
    tiers = {}
    for k, v in e.items():
        t = TIER.fullmatch(k)
        if t and num(v) is not None:
            tiers.setdefault(int(t.group(2)) * 1000, {})[TIER_FIELDS[t.group(1)]] = v
    if tiers:
        m['tiers'] = [dict(above=above, **prices) for above, prices in sorted(tiers.items())]
    caps = sorted(k[len('supports_'):] for k, v in e.items() if k.startswith('supports_') and v is True)
    if caps:
        m['supports'] = caps
    out[name] = m

with open(dst, 'w', encoding='utf-8') as f:
    # One model per line: diffs of a re-sync stay readable.
    f.write('{\n')
    f.write(',\n'.join(json.dumps(k) + ':' + json.dumps(v, separators=(',', ':'), sort_keys=True) for k, v in out.items()))
    f.write('\n}\n')
print(f'{len(out)} models -> {os.path.relpath(dst)}')
