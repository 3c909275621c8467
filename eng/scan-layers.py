#!/usr/bin/env python3
"""Checks the library's layers (docs/architecture.md): folders of src/LiteLlm.Extensions.AI as layers.

Usage: python3 eng/scan-layers.py [--edges]

For every C# file it finds the types the file names (comments and string literals removed; a name counts when the
namespace declaring it is visible from the file: the file's own namespace and its parents, its `using`s, or written out
as `Namespace.Type`), and turns them into folder→folder edges. It reports, and exits 1 on:
  - an edge from a folder to a folder in a higher layer (a folder may use folders below it and its own layer),
  - a cycle between folders,
  - a library file naming the gateway (its namespace or one of its types),
  - an InternalsVisibleTo from the library to the gateway.
--edges prints every folder→folder edge with one example file each.
"""
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "src", "LiteLlm.Extensions.AI")
GATEWAY = os.path.join(ROOT, "src", "LiteLlm.Gateway")

# Bottom up; a folder may use its own layer and the ones below. Providers/<Protocol> folders are the Providers layer.
LAYERS = [
    ["Redis"],
    ["Errors"],
    ["Models"],
    ["Providers/Http"],
    ["Providers", "Providers/*"],
    ["Routing", "Routing/*", "Cost", "Caching", "Observability"],
    ["Configuration"],
    ["", "Conveniences"],
]

# The root namespace (LiteLlm) is where users look first, so it holds public entry points of several layers: these root
# files are nodes of their own, in the layer named (the others are the top layer).
ROOT_FILES = {
    "ResponseProperties.cs": "Errors",          # the keys every layer writes into AdditionalProperties: vocabulary
    "LiteLlmClientFactory.cs": "Providers",     # the Providers layer's public door (the router builds clients with it)
    "LiteLlmClientFactoryOptions.cs": "Providers",
    "KeyCheckResult.cs": "Providers",           # what LiteLlmClientFactory.CheckValidKeyAsync answers
}

# A folder's own subfolders that are part of it (not layers of their own) for the cycle search.
PART_OF = {"Routing/Strategies": "Routing", "Conveniences": ""}

DECL = re.compile(r"\b(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\],.?\s]+?)\s+([A-Z]\w*)")
NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)", re.M)
USING = re.compile(r"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", re.M)
TOP_LEVEL = re.compile(r"^(?:(?:public|internal|sealed|static|abstract|partial|readonly|file|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+([A-Z]\w*)", re.M)
CHAIN = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")


def strip(code):
    """Removes comments, string and char literals (keeps interpolation holes' code out too: good enough for names)."""
    out, i, n = [], 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif code.startswith('"""', i):
            j = code.find('"""', i + 3)
            i = n if j < 0 else j + 3
            out.append('""')
        elif c == '"' or (c in "@$" and i + 1 < n and code[i + 1] in '"@$'):
            k = i
            while code[k] in "@$":
                k += 1
            verbatim = "@" in code[i:k]
            k += 1  # the opening quote
            while k < n:
                if code[k] == "\\" and not verbatim:
                    k += 2
                    continue
                if code[k] == '"':
                    if verbatim and k + 1 < n and code[k + 1] == '"':
                        k += 2
                        continue
                    break
                k += 1
            i = k + 1
            out.append('""')
        elif c == "'":
            k = i + 1
            while k < n and code[k] != "'":
                k += 2 if code[k] == "\\" else 1
            i = k + 1
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("bin", "obj")]
        for name in filenames:
            if name.endswith(".cs"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    yield path, strip(f.read())


def layer_of(folder):
    if folder.startswith("(root)/"):
        return layer_of(ROOT_FILES[folder[len("(root)/"):]])
    for index, patterns in enumerate(LAYERS):
        for p in patterns:
            if p == folder or (p.endswith("/*") and folder.startswith(p[:-1])):
                return index
    return None


def namespaces_visible(namespace, usings):
    parts = namespace.split(".") if namespace else []
    visible = {".".join(parts[:i]) for i in range(len(parts) + 1)}
    return visible | set(usings)


def scan():
    files = {}
    declared = defaultdict(set)  # (namespace, type) -> folders
    types_in = defaultdict(set)  # namespace -> types
    for path, code in sources(LIB):
        rel = os.path.relpath(path, LIB)
        folder = os.path.dirname(rel)
        if folder == "" and rel in ROOT_FILES:
            folder = "(root)/" + rel
        ns = (NAMESPACE.findall(code) or [""])[0]
        files[rel] = (folder, ns, USING.findall(code), code)
        for name in set(DECL.findall(code)):
            declared[(ns, name)].add(folder)
            types_in[ns].add(name)
    all_namespaces = set(types_in)

    edges = defaultdict(dict)  # from -> to -> example file
    for rel, (folder, ns, usings, code) in files.items():
        visible = namespaces_visible(ns, usings)
        for m in CHAIN.finditer(code):
            parts = [p.strip() for p in m.group(0).split(".")]
            targets = set()
            # Written out: Namespace.Type, also relative to a visible namespace (Errors.X inside LiteLlm.*).
            for i in range(1, len(parts)):
                prefix = ".".join(parts[:i])
                for base in visible:
                    full = f"{base}.{prefix}" if base else prefix
                    if full in all_namespaces and parts[i] in types_in[full]:
                        targets |= declared[(full, parts[i])]
            if not targets:
                for base in visible:
                    targets |= declared.get((base, parts[0]), set())
            for t in targets:
                if t != folder:
                    edges[folder].setdefault(t, rel)
    return files, edges


def cycles(edges):
    """Strongly connected components with more than one folder (Tarjan)."""
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    nodes = set(edges) | {t for ts in edges.values() for t in ts}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return result


def gateway_types():
    """The gateway's top-level types (nested ones are invisible outside their type)."""
    names = set()
    for _, code in sources(GATEWAY):
        names |= set(TOP_LEVEL.findall(code))
    return names


def label(folder):
    return folder or "(root)"



def main():
    show = "--edges" in sys.argv[1:]
    files, edges = scan()
    violations = []
    checked = defaultdict(dict)

    for source in sorted(edges):
        for target, example in sorted(edges[source].items()):
            ls, lt = layer_of(source), layer_of(target)
            line = f"  {label(source)} -> {label(target)}   e.g. {example}"
            if ls is None or lt is None:
                violations.append(f"folder not in a layer (add it to LAYERS in eng/scan-layers.py):{line}")
            elif lt > ls:
                violations.append(f"upward edge:{line}")
            if show:
                print(line)
            a, b = PART_OF.get(source, source), PART_OF.get(target, target)
            if a != b:
                checked[a][b] = example

    for component in cycles(checked):
        violations.append("cycle between folders: " + " <-> ".join(c or "(root)" for c in component))

    library_types = {name for (_, name) in [k for k in scan_declared(files)]}
    for_gateway = gateway_types() - library_types
    gateway_name = re.compile(r"\bLiteLlm\s*\.\s*Gateway\b")
    for rel, (_, _, usings, code) in sorted(files.items()):
        if gateway_name.search(code) or any(u.startswith("LiteLlm.Gateway") for u in usings):
            violations.append(f"library file names the gateway's namespace: {rel}")
        named = set(re.findall(r"(?<![.\w])\s*\b([A-Z]\w*)\b", code)) & for_gateway
        if named:
            violations.append(f"library file names gateway types {sorted(named)}: {rel}")

    for dirpath, _, filenames in os.walk(LIB):
        for name in filenames:
            if name.endswith(".csproj") or name.endswith(".props"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    if re.search(r'InternalsVisibleTo\s+Include="LiteLlm\.Gateway"', f.read()):
                        violations.append(f"InternalsVisibleTo the gateway in {os.path.relpath(os.path.join(dirpath, name), ROOT)}")

    folders = len({f for f, *_ in files.values()})
    edge_count = sum(len(t) for t in edges.values())
    if violations:
        print("\n".join(violations))
        print(f"scan-layers: {len(violations)} violation(s) ({len(files)} files, {folders} folders, {edge_count} edges)")
        return 1
    print(f"scan-layers: no violations ({len(files)} files, {folders} folders, {edge_count} edges, no cycle)")
    return 0


def scan_declared(files):
    for folder, ns, _, code in files.values():
        for name in DECL.findall(code):
            yield (ns, name)


if __name__ == "__main__":
    sys.exit(main())
