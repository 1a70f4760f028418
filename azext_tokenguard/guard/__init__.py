"""The tokenguard shell guard: runs before every az command typed at a shell.

Everything in this package imports only the standard library and uses only
relative imports.  It is loaded in two ways:

* by ``launch.py`` (started as ``python -I -S launch.py <az args>``) as a
  standalone package named ``tokenguard_guard`` -- importing
  ``azext_tokenguard`` itself would pull in azure.cli.core, which costs
  hundreds of milliseconds on every az command;
* by the extension as ``azext_tokenguard.guard.<module>``.

Keep this file free of imports: it runs on every guarded command.
"""
