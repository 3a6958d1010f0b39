"""The layers, read from the source; an arrow points at what may be imported:

    common (shared app)  <-  feature apps  <-  cpaor (configuration and the site shell)
    devstack (launcher, embedded servers, mail sink, test workers): apart, never deployed

The shared app imports no feature app and nothing of cpaor; feature apps import nothing
of cpaor (settings come through django.conf, the user model through get_user_model, the
Celery app through celery.current_app); nothing deployed imports the development stack,
which starts the portal only as processes.

Each rule parses every module (ast), so a new file is checked without being listed.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURE_APPS = ["initiatives", "members", "resources", "newsletters", "alerts", "api"]
DEPLOYED = ["common", "cpaor", *FEATURE_APPS]


def modules(package):
    """(dotted name, path) of every module in a top-level package, migrations included."""
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imported_names(name, path):
    """Every module name the file imports: `from a import b` counts as `a` and `a.b`
    (b may be a module), relative imports are made absolute, and
    importlib.import_module / __import__ with a literal name count too."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def within(name, packages):
    return any(name == package or name.startswith(f"{package}.") for package in packages)


def offences(packages, forbidden):
    return sorted(
        f"{path.relative_to(ROOT)} imports {imported}"
        for package in packages
        for name, path in modules(package)
        for imported in imported_names(name, path)
        if within(imported, forbidden)
    )


def test_the_rules_see_every_package():
    for package in [*DEPLOYED, "devstack"]:
        assert len(list(modules(package))) > 1, package
    # The parser finds what the rules look for: the launcher imports its embedded servers.
    launcher = dict(modules("devstack"))["devstack.launcher"]
    assert "devstack.embedded" in imported_names("devstack.launcher", launcher)


@pytest.mark.parametrize("package", DEPLOYED)
def test_nothing_deployed_imports_the_development_stack(package):
    assert offences([package], ["devstack"]) == []


def test_manage_py_does_not_import_the_development_stack():
    path = ROOT / "manage.py"
    assert not any(within(name, ["devstack"]) for name in imported_names("manage", path))


def test_the_development_stack_imports_no_portal_code():
    """It starts the portal as processes, by module name (celery -A cpaor, cpaor.wsgi)."""
    assert offences(["devstack"], DEPLOYED) == []


def test_the_shared_app_imports_no_feature_app_and_no_configuration():
    assert offences(["common"], [*FEATURE_APPS, "cpaor"]) == []


def test_feature_apps_import_nothing_of_the_configuration():
    """Django reaches cpaor through DJANGO_SETTINGS_MODULE, ROOT_URLCONF and the Celery
    app's name; an app importing it would bypass django.conf.settings and its overrides
    in tests, and could not be reused without the site around it."""
    assert offences(FEATURE_APPS, ["cpaor"]) == []
