"""`workshops` is the lower app: nothing in it imports or depends on `registrations`.

STYLE.md, "Layers": data apps below, rule and interface apps above, imports only downwards.
The files are read with `ast`, so the check covers modules Django never imports in a test
run (any migration), and the migration graph is checked for dependencies, direct or not.
"""

import ast
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[1]
LOWER = "workshops"
UPPER = "registrations"
SOURCES = sorted((ROOT / LOWER).rglob("*.py"))


def _is_upper(name: str) -> bool:
    return name == UPPER or name.startswith(f"{UPPER}.")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    package = package[: len(package) - node.level + (1 if is_package else 0)]
    return ".".join([*package, *([node.module] if node.module else [])])


def references_to_upper(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each place in `source` (the module `module`) that imports from or names the upper app:
    imports, importlib/get_model/lazy model references ("registrations.Registration") and
    migration dependencies such as ("registrations", "0001_initial")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _imported_from(node, module, is_package)
            names = [base, *(f"{base}.{alias.name}".lstrip(".") for alias in node.names)]
        elif isinstance(node, ast.Call):
            names = [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
        elif isinstance(node, ast.Tuple | ast.List):
            names = [e.value for e in node.elts[:1] if isinstance(e, ast.Constant)]
        else:
            continue
        if any(isinstance(name, str) and _is_upper(name) for name in names):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:120]}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_workshops_module_imports_or_names_registrations(path):
    module = _module_name(path)
    found = references_to_upper(path.read_text(), module, path.name == "__init__.py")
    assert found == [], f"{path.relative_to(ROOT)} reaches into {UPPER}: {found}"


def test_no_workshops_migration_depends_on_registrations():
    """Directly, or through another app's migration (the graph's whole forwards plan)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    ours = [key for key in graph.nodes if key[0] == LOWER]
    assert ours, "the workshops migrations were found"
    for key in ours:
        upper = [dep for dep in graph.forwards_plan(key) if dep[0] == UPPER]
        assert upper == [], f"{key} needs {upper}"


# The check itself: it must see each kind of reference it claims to.


@pytest.mark.parametrize(
    "source",
    [
        "from registrations import services",
        "from registrations.selectors import with_seats_taken",
        "import registrations.models",
        "import registrations",
        "from .. import registrations",
        "importlib.import_module('registrations.services')",
        "apps.get_model('registrations', 'Registration')",
        "models.ForeignKey('registrations.Registration', on_delete=models.CASCADE)",
        "dependencies = [('workshops', '0002'), ('registrations', '0001_initial')]",
    ],
)
def test_the_check_finds_each_kind_of_reference(source):
    assert references_to_upper(source, "workshops.admin") != []


@pytest.mark.parametrize(
    "source",
    [
        "from workshops.models import Workshop",
        "from .models import Workshop",
        "reverse('admin:registrations_roster')",
        "x = 'registrations'  # a plain string is not a reference",
        '"""Workshops and rooms are registered by registrations.admin."""',
    ],
)
def test_the_check_leaves_the_lower_apps_own_code_alone(source):
    assert references_to_upper(source, "workshops.admin") == []
