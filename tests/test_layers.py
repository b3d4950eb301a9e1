"""The layers keep to their jobs, checked by reading the source (no request is made).

- A view module (one that makes a ``Blueprint``) does not write: none of its functions calls
  ``record()``, adds, deletes or flushes through the database session, runs an
  ``UPDATE``/``INSERT``/``DELETE``, or assigns to an attribute of a loaded object. Views load,
  ask the policy, call one service and answer; they may ``commit()`` or ``rollback()``.
- A service module knows no request: it does not import ``request``, ``session``, ``flash``,
  ``render_template`` or ``url_for`` from Flask, nor ``current_user``.

The checks are approximations that keep false alarms rare: an attribute assignment counts
unless it is made on a form, a response, ``g``, or a name the same function bound only to
what a call made that is neither a model class nor a loader (``get_or_404``, ``scalar``…):
a dataclass, a service's result.

Every view and service module keeps to these rules; there are no exceptions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "portfolio"

SESSION_WRITES = {"add", "add_all", "delete", "flush", "merge", "bulk_save_objects"}
STATEMENT_WRITES = {"update", "insert", "delete"}
#: Names whose attributes a view may set: forms, responses, the request-global ``g``.
PLAIN_NAMES = {"form", "response", "g"}
#: Calls that return rows loaded from the database: these names, and names that begin with
#: one of the prefixes (``find_user``, ``get_or_create_assessment``, ``load_round``).
LOADERS = {"get_or_404", "first_or_404", "one_or_404", "get", "scalar", "first", "one"}
LOADERS |= {"one_or_none", "merge"}
LOADER_PREFIXES = ("find_", "get_", "load_")
REQUEST_BOUND = {
    "flask": {"request", "session", "flash", "render_template", "url_for"},
    "flask_login": {"current_user"},
}


@dataclass(frozen=True)
class Finding:
    """One write found in a view function."""

    module: str
    function: str
    line: int
    what: str


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def python_files() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def makes_blueprint(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call) and _callee(node) == "Blueprint" for node in ast.walk(tree)
    )


def is_service_module(module: str) -> bool:
    parts = module.split(".")
    return parts[-1] == "services" or "services" in parts[:-1] or parts[-1].endswith("_services")


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node


Function = ast.FunctionDef | ast.AsyncFunctionDef


def own_nodes(function: Function) -> Iterator[ast.AST]:
    """The nodes of ``function``'s body, without those of functions defined inside it."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        )


def model_names() -> set[str]:
    """The names of the ORM model classes."""
    import portfolio.models  # noqa: F401  (registers every model)
    from portfolio.extensions import Base

    return {mapper.class_.__name__ for mapper in Base.registry.mappers}


def _plain_locals(function: Function, models: set[str]) -> set[str]:
    """Names this function binds only to what a call made that is neither a model nor a
    loaded row: a form, a response, a dataclass, a service's result."""
    plain: set[str] = set()
    loaded: set[str] = set()
    for node in own_nodes(function):
        if isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            callee = _callee(node.value) if isinstance(node.value, ast.Call) else None
            made = callee is not None and not (
                callee in models or callee in LOADERS or callee.startswith(LOADER_PREFIXES)
            )
            (plain if made else loaded).update(names)
    return plain - loaded


def _targets(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> Iterator[ast.expr]:
    stack: list[ast.expr] = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Tuple | ast.List):
            stack.extend(target.elts)
        else:
            yield target


def _session_write(call: ast.Call) -> str | None:
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)):
        return None
    if func.value.attr != "session":
        return None
    if func.attr in SESSION_WRITES:
        return f"session.{func.attr}()"
    if func.attr == "execute" and call.args:
        for node in ast.walk(call.args[0]):
            if isinstance(node, ast.Call) and _callee(node) in STATEMENT_WRITES:
                return f"session.execute({_callee(node)}(…))"
    return None


def writes_in(module: str, function: Function, models: set[str]) -> list[Finding]:
    """Every write this function makes itself (nested functions are their own)."""
    plain = PLAIN_NAMES | _plain_locals(function, models)
    found = []
    for node in own_nodes(function):
        what = None
        if isinstance(node, ast.Call):
            callee = _callee(node)
            if callee == "record":
                what = "record()"
            elif callee == "setattr":
                what = "setattr()"
            else:
                what = _session_write(node)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in _targets(node):
                if isinstance(target, ast.Attribute):
                    root = _root(target)
                    if not (isinstance(root, ast.Name) and root.id in plain):
                        what = f"assigns {ast.unparse(target)}"
        if what:
            found.append(Finding(module, function.name, getattr(node, "lineno", 0), what))
    return found


def view_findings() -> list[Finding]:
    models = model_names()
    found = []
    for module, tree in python_files():
        if not makes_blueprint(tree):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.extend(writes_in(module, node, models))
    return found


def service_imports() -> set[tuple[str, str]]:
    found = set()
    for module, tree in python_files():
        if not is_service_module(module):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in REQUEST_BOUND:
                for alias in node.names:
                    if alias.name in REQUEST_BOUND[node.module]:
                        found.add((module, alias.name))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in REQUEST_BOUND
                and node.attr in REQUEST_BOUND[node.value.id]
            ):
                found.add((module, node.attr))
    return found


# --- the rules ----------------------------------------------------------------------------


def test_no_view_writes() -> None:
    findings = view_findings()
    assert not findings, "a view writes; move it into a service:\n" + "\n".join(
        f"  {f.module}:{f.line} {f.function}: {f.what}" for f in findings
    )


def test_no_service_imports_request_bound_names() -> None:
    found = service_imports()
    assert not found, f"a service imports request-bound names: {sorted(found)}"


# --- the checks themselves ------------------------------------------------------------------

VIEW = """
@bp.post("/x/<int:x_id>")
def save(x_id):
    item = db.get_or_404(Item, x_id)
    form = ItemForm()
    reply = make_response("ok")
    form.title.data = item.title
    reply.headers["X"] = "y"
    g.seen = True
    {write}
    db.session.commit()
    return reply
"""


@pytest.mark.parametrize(
    "write",
    [
        "record(Action.SIGN_IN, actor=None)",
        "audit.record(Action.SIGN_IN, actor=None)",
        "db.session.add(item)",
        "db.session.add_all([item])",
        "db.session.delete(item)",
        "db.session.flush()",
        "db.session.execute(update(Item).values(title='x'))",
        "db.session.execute(Item.__table__.delete())",
        "item.title = 'new'",
        "item.title, item.url = 'new', ''",
        "new = Item(); new.title = 'x'",
        "user = find_user('x'); user.last_sign_in_at = None",
        "item.owner.name += 'x'",
        "current_user.language = 'nl'",
        "setattr(item, 'title', 'x')",
    ],
)
def test_the_check_sees_a_write(write: str) -> None:
    tree = ast.parse(VIEW.format(write=write))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert [f.what for f in writes_in("m", function, {"Item"})], write


@pytest.mark.parametrize(
    "harmless",
    [
        "pass",
        "db.session.rollback()",
        "db.session.execute(select(Item))",
        "services.save(item, form.data)",
        "edit = EditForm(obj=item); edit.title.data = 'x'",
        "row = Row(); row.error, row.note = 'x', 'y'",
        "result = services.save(item); result.saved += 1",
    ],
)
def test_the_check_lets_reading_and_forms_pass(harmless: str) -> None:
    tree = ast.parse(VIEW.format(write=harmless))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert writes_in("m", function, {"Item"}) == []


def test_the_checks_find_the_view_and_service_modules() -> None:
    views = {m for m, tree in python_files() if makes_blueprint(tree)}
    services = {m for m, _ in python_files() if is_service_module(m)}
    assert {"portfolio.audit.views", "portfolio.main"} <= views
    assert "portfolio.cohorts.services" in services
    assert not views & services
