"""Helpers shared by the test suites (processes, fake servers, the demo API)."""
