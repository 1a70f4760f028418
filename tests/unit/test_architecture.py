"""docs/architecture.md is the map; these tests hold the code to it: the folders it names, what each folder's
logic may import, which modules may import azure.cli, and no import cycle anywhere (lazy imports counted)."""
import ast
import os
import re
import sys

import pytest

import azext_tokenguard

PACKAGE = "azext_tokenguard"
PACKAGE_DIR = os.path.dirname(os.path.abspath(azext_tokenguard.__file__))
DOC = os.path.join(os.path.dirname(PACKAGE_DIR), "docs", "architecture.md")
SHARED_TOP_LEVEL = {"az_profile", "results", "_format"}  # the doc's "shared top-level modules"
GLUE_FILES = {"custom", "_help"}
AZ_EDGE = {"azext_tokenguard", "azext_tokenguard.commands", "azext_tokenguard._params", "azext_tokenguard.az_command",
           "azext_tokenguard.az_profile", "azext_tokenguard.guardcmd.custom",
           "azext_tokenguard.guardcmd.command_table_export", "azext_tokenguard.tokens.access"}


def _module_files():
    """{dotted module name: path} for every module of the package."""
    found = {}
    for directory, _, names in os.walk(PACKAGE_DIR):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                dotted = os.path.relpath(path, os.path.dirname(PACKAGE_DIR))[:-3].replace(os.sep, ".")
                found[dotted[:-len(".__init__")] if dotted.endswith(".__init__") else dotted] = path
    return found


MODULES = _module_files()


def _imported_names(module):
    """Every absolute module name ``module`` imports, at the top or inside a function."""
    package = module if MODULES[module].endswith("__init__.py") else module.rsplit(".", 1)[0]
    with open(MODULES[module], encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _internal_imports(module):
    return {name for name in _imported_names(module) if name in MODULES and name != module}


def _folder(module):
    """The capability folder of a module, or None for the top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and MODULES[module].endswith("__init__.py")) else None


def _is_glue(module):
    return _folder(module) is None or module.rsplit(".", 1)[-1] in GLUE_FILES


def _doc_folders():
    """{folder: set of folders it may import} from the doc's table."""
    with open(DOC, encoding="utf-8") as doc:
        rows = re.findall(r"^\| `(\w+)/` \|[^|]*\| ([^|]*) \|$", doc.read(), flags=re.M)
    return {folder: set(re.findall(r"`(\w+)/`", allowed)) for folder, allowed in rows}


def _doc_top_level_modules():
    with open(DOC, encoding="utf-8") as doc:
        section = doc.read().split("## Top-level modules", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`(\w+)\.py`", section))


def test_the_folders_are_the_ones_the_doc_names():
    folders = {name for name in os.listdir(PACKAGE_DIR)
               if os.path.isfile(os.path.join(PACKAGE_DIR, name, "__init__.py"))}
    assert folders == set(_doc_folders())


def test_every_top_level_module_is_in_the_doc():
    top_level = {module.split(".")[1] if "." in module else "__init__" for module in MODULES
                 if _folder(module) is None}
    assert top_level == _doc_top_level_modules()


@pytest.mark.parametrize("folder", sorted(_doc_folders()))
def test_a_folders_logic_imports_only_what_the_doc_allows(folder):
    allowed = _doc_folders()[folder] | {folder}
    wrong = sorted(f"{module} imports {imported}" for module in MODULES
                   if _folder(module) == folder and not _is_glue(module)
                   for imported in _internal_imports(module)
                   if _folder(imported) not in allowed
                   and not (_folder(imported) is None and imported.split(".")[-1] in SHARED_TOP_LEVEL))
    assert not wrong


def test_the_guard_imports_the_standard_library_only():
    outside = sorted(f"{module} imports {name}" for module in MODULES if _folder(module) == "guard"
                     for name in _imported_names(module)
                     if name.split(".")[0] not in sys.stdlib_module_names and _folder(name) != "guard")
    assert not outside


def test_only_the_az_edge_imports_azure_cli():
    importers = {module for module in MODULES if any(name.startswith("azure.cli") for name in _imported_names(module))}
    assert importers <= AZ_EDGE, sorted(importers - AZ_EDGE)


def _cycle_from(graph, start):
    """A path of imports from ``start`` back to itself, or None (depth-first)."""
    stack, seen = [(start, [start])], set()
    while stack:
        module, path = stack.pop()
        for following in sorted(graph[module]):
            if following == start:
                return path + [start]
            if following not in seen:
                seen.add(following)
                stack.append((following, path + [following]))
    return None


def test_no_module_imports_one_that_imports_it_back():
    graph = {module: _internal_imports(module) for module in MODULES}
    cycles = [cycle for cycle in (_cycle_from(graph, module) for module in sorted(graph)) if cycle]
    assert not cycles, " -> ".join(cycles[0])


def test_the_checks_see_lazy_and_relative_imports():
    """The map is only as good as the import reader: a lazy import and a relative one are both found."""
    assert "azext_tokenguard.guard.audit" in _internal_imports("azext_tokenguard.guard.main")  # inside a function
    assert "azext_tokenguard.guard.errors" in _internal_imports("azext_tokenguard.agent.run")  # from ..guard.errors
    assert _cycle_from({"a": {"b"}, "b": {"c"}, "c": {"a"}}, "a") == ["a", "b", "c", "a"]


def test_the_unit_tests_mirror_the_folders():
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    test_folders = {name for name in os.listdir(tests_dir)
                    if os.path.isfile(os.path.join(tests_dir, name, "__init__.py"))}
    assert test_folders <= set(_doc_folders())
