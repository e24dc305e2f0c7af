"""The operators' console: roles, two-factor sign-in, audit log, search, read, export,
delete and retention, behind the ``sigilo`` CLI and an authenticated HTTP API.

Nothing here is created at import; :class:`sigilo.console.service.Console` binds a
database and the store's keys.
"""
