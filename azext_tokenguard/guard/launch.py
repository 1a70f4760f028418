"""Entry point of the guard: ``python -I -S launch.py <az args...>``.

Loads the directory this file is in as a standalone package named
``tokenguard_guard`` (never ``azext_tokenguard``: that package's __init__
imports azure.cli.core, far too slow to run before every az command) and
exits with the code of its ``main``.  Standard library only.
"""
import os
import sys

PACKAGE_NAME = 'tokenguard_guard'
GUARD_BROKEN = 45  # = exitcodes.ExitCode.GUARD_BROKEN; the package may be what failed to load


PROMPT_FLAG = '--tokenguard-prompt'  # the prompt segment's entry; never an az argument


def _load_guard_module(name):
    # importlib.util's own two functions, from the modules it takes them from: importlib.util itself imports
    # contextlib, functools and more (3 ms before every az command).
    import importlib
    from importlib._bootstrap import module_from_spec  # pylint: disable=import-outside-toplevel
    from importlib._bootstrap_external import spec_from_file_location
    guard_dir = os.path.dirname(os.path.abspath(__file__))
    spec = spec_from_file_location(
        PACKAGE_NAME, os.path.join(guard_dir, '__init__.py'), submodule_search_locations=[guard_dir])
    package = module_from_spec(spec)
    sys.modules[PACKAGE_NAME] = package
    spec.loader.exec_module(package)
    return importlib.import_module(PACKAGE_NAME + '.' + name)


def _load_guard_main():
    return _load_guard_module('main').main


def run():
    if sys.argv[1:2] == [PROMPT_FLAG]:
        try:
            return _load_guard_module('prompt').main(sys.argv[2:], os.environ, sys.stdout)
        except Exception:  # pylint: disable=broad-except
            return GUARD_BROKEN  # a prompt never shows a traceback; the segment is simply left empty
    try:
        guard_main = _load_guard_main()
    except BaseException as exc:  # pylint: disable=broad-except
        # A half-upgraded or damaged install: say so in one line, let the shell function fall back.
        try:
            sys.stderr.write(f'tokenguard: cannot load the guard ({type(exc).__name__}); re-run shell-init.\n')
        except Exception:  # pylint: disable=broad-except
            pass
        return GUARD_BROKEN
    return guard_main(sys.argv[1:])


if __name__ == '__main__':
    sys.exit(run())
