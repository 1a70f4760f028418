"""Unit tests of the guard (azext_tokenguard/guard/)."""
