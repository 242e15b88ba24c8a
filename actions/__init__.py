"""Rasa SDK custom actions for the citizen-services assistant.

Actions are thin: they read the conversation, call a package (``knowledge``, ``privacy``,
``safety``) or a small store, and choose a response from ``bot/domain.yml``.
Nothing here connects, loads models or reads files at import time.
"""
