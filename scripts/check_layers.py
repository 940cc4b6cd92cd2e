"""The layer contract of src/agentel (docs/architecture.md), checked on the source with ``ast``.

    python scripts/check_layers.py [SRC]    # exit 1 and one line per violation; run by `make lint`

Rules:
1. A module imports only modules of its own layer or of layers below it — at module level *and*
   inside functions (a function-local import does not make an upward dependency acceptable).
2. No import cycle between agentel modules at module level.
3. No function-local import that would close a cycle if it were at module level (an import moved
   into a function to dodge a cycle). Function-local imports that only defer loading (start-up
   speed, optional dependencies) are fine and say so in a comment.

``TYPE_CHECKING`` blocks are ignored (annotations only). Same-layer imports between packages are
allowed; rule 2 keeps them acyclic.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

#: bottom first; a module may import its own layer and the layers before it
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("agentel._internal", "agentel.config")),
    ("core", ("agentel.tracing", "agentel.correlation", "agentel.registry")),
    ("redaction", ("agentel.redaction",)),
    # serve.discovery (finding the serve process that owns the store) is part of opening the store
    ("store", ("agentel.store", "agentel.serve.discovery")),
    ("genai", ("agentel.genai",)),
    ("emitters", ("agentel.packs", "agentel.evals", "agentel.alerts")),
    ("ingest", ("agentel.ingest",)),
    ("sinks", ("agentel.sinks",)),
    # the crash hook writes through the file sink's writer and encoding before configure()
    ("sdk", ("agentel.sdk", "agentel.redaction.crash")),
    ("analytics", ("agentel.analytics",)),
    ("apps", ("agentel.distro", "agentel.testing", "agentel.demo", "agentel.serve", "agentel.ui")),
    ("cli", ("agentel.cli",)),
    ("facade", ("agentel",)),
)


def layer_of(module: str) -> tuple[int, str]:
    """(rank, name) of the most specific layer prefix of ``module``."""
    best: tuple[int, str, int] | None = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[2]):
                best = (rank, name, len(prefix))
    if best is None:
        raise SystemExit(f"check_layers: {module} is in no layer; add it to LAYERS in {__file__}")
    return best[0], best[1]


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported agentel module
    path: Path
    line: int
    local: bool  # inside a function


def _module_name(path: Path, src: Path) -> str:
    parts = path.relative_to(src).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve(module: str, is_package: bool, node: ast.ImportFrom | ast.Import, src: Path) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("agentel"):
                yield alias.name
        return
    if node.level:
        base = module.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (node.level - 1)]
        parent = ".".join([*base, *([node.module] if node.module else [])])
    else:
        parent = node.module or ""
    if not parent.startswith("agentel"):
        return
    for alias in node.names:
        candidate = f"{parent}.{alias.name}"
        yield candidate if _is_module(candidate, src) else parent


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _in_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return True
    return False


def imports(src: Path = SRC) -> list[Import]:
    found: list[Import] = []
    for path in sorted((src / "agentel").rglob("*.py")):
        module = _module_name(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or _in_type_checking(node, parents):
                continue
            for target in _resolve(module, path.name == "__init__.py", node, src):
                if target != module:
                    found.append(Import(module, target, path, node.lineno, _in_function(node, parents)))
    return found


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def violations(src: Path = SRC) -> list[str]:
    found = imports(src)
    problems: list[str] = []
    graph: dict[str, set[str]] = {}
    for imp in found:
        if not imp.local:
            graph.setdefault(imp.source, set()).add(imp.target)
    for imp in found:
        src_rank, src_layer = layer_of(imp.source)
        dst_rank, dst_layer = layer_of(imp.target)
        where = f"{imp.path.relative_to(src.parent)}:{imp.line}"
        if dst_rank > src_rank:
            kind = "function-local import" if imp.local else "import"
            problems.append(
                f"{where}: {imp.source} ({src_layer}) has an {kind} of {imp.target} ({dst_layer}), "
                "a higher layer: push the value down (agentel._internal.state) or move the code up"
            )
        elif imp.local and _reaches(graph, imp.target, imp.source):
            problems.append(
                f"{where}: function-local import of {imp.target} in {imp.source} dodges an import "
                "cycle: break the cycle instead"
            )
    for cycle in _cycles(graph):
        problems.append(f"import cycle at module level between: {', '.join(cycle)}")
    return problems


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else SRC
    problems = violations(src)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} layer violation(s); the contract is in docs/architecture.md", file=sys.stderr)
        return 1
    print(f"layers: ok ({len(imports(src))} imports checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
