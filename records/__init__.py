"""Redis structures shared between processes: one module per structure.

Each module holds the structure's key builders, its typed record and the only functions that
read or write it; every process (gateway, action server, editor, privacy jobs) goes through
them, so one search finds where any key is written (docs/adr/0003).
"""
