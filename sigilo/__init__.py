"""Sigilo: privacy machinery for a Rasa assistant."""
