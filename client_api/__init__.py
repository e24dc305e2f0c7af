"""Demo company API: aiohttp + SQLite stand-in for the real one (see README.md)."""
