"""The ``sigilo`` admin command line."""
