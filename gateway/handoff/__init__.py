"""Handoff to human advisers: queue, availability, ETA, and the adviser's view of the context."""
