"""``python -m actions``: run the action server (see ``actions.server``)."""

from actions.server import main

main()
