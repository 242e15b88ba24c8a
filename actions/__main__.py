"""``python -m actions``: run the action server (see ``actions.server``)."""

from actions.server import main

if __name__ == "__main__":  # rasa_sdk imports every module of the package when it registers
    main()
