"""matching/ is a pure library: no web, worker or database imports."""

import ast
from pathlib import Path

FORBIDDEN = {"brokerage", "workers", "fastapi", "sqlalchemy", "dramatiq"}
ROOT = Path(__file__).resolve().parents[2] / "matching"


def test_matching_has_no_forbidden_imports():
    files = sorted(ROOT.rglob("*.py"))
    assert files
    bad = []
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"), filename=str(f))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [str(node.args[0].value)]
            for n in names:
                if n.split(".")[0] in FORBIDDEN:
                    bad.append(f"{f.relative_to(ROOT.parent)}:{node.lineno} imports {n}")
    assert not bad, bad
