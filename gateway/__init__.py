"""The gateway: FastAPI service between the widget, Rasa and the advisers' console."""
