"""Test harness: the real az, the emulator, and a proxy that proves nothing leaves the machine."""
