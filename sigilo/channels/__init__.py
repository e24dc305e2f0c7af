"""Channel connectors and helpers: Messenger webhook signatures, Graph API, web page.

Importing this package has no side effects; ``sigilo.channels.facebook`` is the
only module that needs Rasa.
"""
