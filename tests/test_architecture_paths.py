"""Only bigcommerce/ knows the API's paths: no module outside it (or the demo store) holds one.

Callers speak in resources (bigcommerce/reads.py, bigcommerce/operations.py); a path literal
elsewhere is a request built behind the encoder's back, which the outbox and its checks
(versions, recreate, replies) cannot follow. The walk reads every string literal, f-string
pieces included; docstrings and comments only show paths to a reader, so they do not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import backorder_desktop

PACKAGE = Path(backorder_desktop.__file__).parent
OWNERS = ("bigcommerce", "demo_store")  # the client and the server it talks to
# A path at the start of a string or after a space or quote ("PUT /v3/...", "/v2/orders"):
# an example URL in a help text (".../stores/abc123/v3/") is not an address the app builds.
PATH_LITERAL = re.compile(r"(?:^|[\s\"'])/v[23]/")
# (module, top-level name) allowed to hold paths, and why.
ALLOWED = {
    # The one-off schema migration reads rows an older version queued as raw HTTP: it reads
    # old paths, it builds none.
    ("cache/schema.py", "_LEGACY_METAFIELDS"),
    ("cache/schema.py", "_legacy_operation"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _top_name(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt.name
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    if isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if names else ""


def path_literals(source: str, module: str) -> list[str]:
    """ "module:line: text" for each API path literal outside the allowed definitions."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for stmt in tree.body:
        if (module, _top_name(stmt)) in ALLOWED:
            continue
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and PATH_LITERAL.search(node.value)
            ):
                found.append(f"{module}:{node.lineno}: {node.value!r}")
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for file in sorted(PACKAGE.rglob("*.py")):
        rel = file.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] not in OWNERS:
            out.append((rel, file))
    return out


def test_no_module_outside_bigcommerce_holds_an_api_path() -> None:
    modules = _modules()
    assert len(modules) > 100  # the walk sees the app (sync/, services/, cli/, ui/, ...)
    found = [hit for rel, file in modules for hit in path_literals(file.read_text(), rel)]
    assert found == [], "move these requests into bigcommerce/ (reads.py, operations.py):\n" + (
        "\n".join(found)
    )


def test_the_walk_catches_a_path_however_it_is_written() -> None:
    source = (
        '"""Docstring naming /v3/catalog/products is fine."""\n'
        "HELP = 'paste https://api.bigcommerce.com/stores/abc123/v3/'\n"
        "A = client.request('GET', '/v2/orders')\n"
        "def f(order):\n"
        "    return f'/v3/orders/{order}/payment_actions'\n"
        "LABEL = {'PUT /v3/catalog/products': 1}\n"
    )
    found = path_literals(source, "sync/example.py")
    assert [hit.split(":")[1] for hit in found] == ["3", "5", "6"]
    legacy = "def _legacy_operation(m, p):\n    return p == '/v3/catalog/products'\n"
    assert path_literals(legacy, "cache/schema.py") == []
    assert path_literals(legacy, "cache/other.py") != []


# What hands out a path: a caller that uses one sends a request bigcommerce/ did not name.
PATH_GIVERS = frozenset(
    {"collection_path", "order_path", "METAFIELD_PATHS", "iter_v3", "iter_v2", "paths", "paging"}
)


def path_givers(source: str) -> list[str]:
    """Names of bigcommerce/'s path helpers a module imports or calls (`ops.collection_path`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and "bigcommerce" in (node.module or ""):
            found += [a.name for a in node.names if a.name in PATH_GIVERS]
            if (node.module or "").rsplit(".", 1)[-1] in PATH_GIVERS:
                found.append(str(node.module))
        elif isinstance(node, ast.Attribute) and node.attr in PATH_GIVERS - {"paths", "paging"}:
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append(node.attr)
    return found


def test_callers_outside_bigcommerce_take_no_path_from_it() -> None:
    """They call a named read (bigcommerce/reads.py) or encode an operation instead."""
    found = {rel: hits for rel, file in _modules() if (hits := path_givers(file.read_text())) != []}
    assert found == {}, found


def test_sync_matches_no_path_with_a_regular_expression() -> None:
    """Replies and retries go by typed operations (bigcommerce/operations.py), never by path."""
    users = []
    for rel, file in _modules():
        if rel.startswith("sync/"):
            tree = ast.parse(file.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import) and any(a.name == "re" for a in node.names):
                    users.append(rel)
                if isinstance(node, ast.ImportFrom) and node.module == "re":
                    users.append(rel)
    assert users == []
