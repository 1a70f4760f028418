"""An offline Microsoft Entra ID + Azure Resource Manager emulator for tokenguard's tests and demo.

It is test infrastructure: it lives under tests/ and is never shipped in the wheel.
Run it with ``python -m tests.emulator --state-dir DIR``; it prints one ``READY {json}`` line
on stdout once it listens (HTTPS on 127.0.0.1 only, with a CA it makes at start).
"""
