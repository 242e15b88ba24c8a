"""The launcher: starts Redis (when needed), Rasa, the action server and the gateway together."""
