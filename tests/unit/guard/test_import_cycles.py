"""No import cycle among the guard's modules, counting imports inside functions too (a lazy import still ties
two modules together: each needs the other to be read)."""
import ast
import os

from azext_tokenguard import guard

GUARD_DIR = os.path.dirname(os.path.abspath(guard.__file__))
PACKAGE = 'azext_tokenguard.guard'


def guard_modules():
    return sorted(name[:-3] for name in os.listdir(GUARD_DIR) if name.endswith('.py') and name != '__init__.py')


def imports_of(module):
    """The guard modules ``module`` imports anywhere in its text: ``from . import x``, ``from .x import y``,
    ``import azext_tokenguard.guard.x``, at the top or inside a function."""
    with open(os.path.join(GUARD_DIR, module + '.py'), encoding='utf-8') as source:
        tree = ast.parse(source.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level == 1 and base:
                found.add(base.split('.')[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif base.startswith(PACKAGE + '.'):
                found.add(base[len(PACKAGE) + 1:].split('.')[0])
            elif base == PACKAGE:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name[len(PACKAGE) + 1:].split('.')[0] for alias in node.names
                         if alias.name.startswith(PACKAGE + '.'))
    return found & set(guard_modules())


def cycles(graph):
    """Every cycle, each as the path from its smallest module back to it (depth-first search)."""
    found = set()

    def visit(path):
        for following in sorted(graph[path[-1]]):
            if following == path[0]:
                start = path.index(min(path))
                found.add(tuple(path[start:] + path[:start]))
            elif following not in path and following > path[0]:
                visit(path + [following])

    for module in sorted(graph):
        visit([module])
    return sorted(found)


def test_the_graph_sees_lazy_imports():
    graph = {module: imports_of(module) for module in guard_modules()}
    assert 'audit' in graph['main']  # imported inside _recorder only
    assert 'fast_token' in graph['main']


def test_no_guard_module_imports_itself_back():
    graph = {module: imports_of(module) for module in guard_modules()}
    assert cycles(graph) == []
