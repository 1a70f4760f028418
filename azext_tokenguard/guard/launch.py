"""Entry point of the guard: ``python -I -S launch.py <az args...>``.

Loads the directory this file is in as a standalone package named
``tokenguard_guard`` (never ``azext_tokenguard``: that package's __init__
imports azure.cli.core, far too slow to run before every az command) and
exits with the code of its ``main``.  Standard library only.
"""
import sys

try:  # os's C layer: importing os itself costs 1.3 ms before every az command (system.py)
    from posix import _exit, getcwd
    SEP = '/'
except ImportError:  # Windows
    from os import _exit, getcwd, sep as SEP

PACKAGE_NAME = 'tokenguard_guard'
GUARD_BROKEN = 45  # = exitcodes.ExitCode.GUARD_BROKEN; the package may be what failed to load


PROMPT_FLAG = '--tokenguard-prompt'  # the prompt segment's entry; never an az argument


def _load_guard_module(name):
    # importlib.util's spec_from_file_location and module_from_spec, taken from the interpreter's own import
    # machinery (loaded at startup): importlib.util would import contextlib, functools, warnings and more, 3 ms
    # before every az command.
    import _frozen_importlib
    import _frozen_importlib_external
    if PACKAGE_NAME not in sys.modules:
        guard_dir = _guard_dir()
        spec = _frozen_importlib_external.spec_from_file_location(
            PACKAGE_NAME, guard_dir + SEP + '__init__.py', submodule_search_locations=[guard_dir])
        package = _frozen_importlib.module_from_spec(spec)  # pylint: disable=no-member
        sys.modules[PACKAGE_NAME] = package
        spec.loader.exec_module(package)
    module_name = f'{PACKAGE_NAME}.{name}'
    __import__(module_name)
    return sys.modules[module_name]


def _guard_dir():
    """The directory of this file, absolute (the shell function names it so; a person may not)."""
    path = __file__ if __file__.startswith(SEP) or __file__[1:3] == ':' + SEP else getcwd() + SEP + __file__
    return path.rpartition(SEP)[0]


def _load_guard_main():
    return _load_guard_module('main').main


def run():
    if sys.argv[1:2] == [PROMPT_FLAG]:
        try:
            return _load_guard_module('prompt').main(sys.argv[2:], _load_guard_module('system').environ(),
                                                     sys.stdout)
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


def _exit_now(code):
    """Exit with ``code`` without the interpreter's clean-up: it would only free the objects of a process that is
    ending (about 1.5 ms, a third of what the guard may cost). The guard leaves nothing for it to do: its files
    are closed by ``with`` blocks, it starts no thread and registers no atexit handler; only the buffered
    standard streams need flushing, and a closed stream (2>&-) must not change the exit code."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # pylint: disable=broad-except
            pass
    _exit(code if isinstance(code, int) else GUARD_BROKEN)


if __name__ == '__main__':
    _exit_now(run())
