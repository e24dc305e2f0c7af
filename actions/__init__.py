"""Sigilo's custom actions, loaded by the action server (``rasa run actions``).

Importing this package installs the redacting log-record factory
(:func:`sigilo.log_filter.install`), so a plain ``rasa run actions`` or
``python -m rasa_sdk --actions actions`` logs no card number, tax id or similar
secret, as ``make run`` does. Why here rather than lazily in an action base class:
the action server imports this package, before any request, to register the
actions; rasa_sdk's own logging (the executor's errors, with tracebacks holding slot
values) happens outside any action's code, and an action written without the base
class would leak silently. ``install()`` opens nothing (no file, socket or client),
changes only how log records are built, and is idempotent: the "no side effects at
import" rule is about resources, and this one is the point of importing the package.
"""

from sigilo.log_filter import install as _install_log_filter

_install_log_filter()
