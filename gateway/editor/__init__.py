"""The editor's pages and JSON API (issue 7), as one router the gateway's app factory includes.

``from gateway.editor import router``; at start-up ``app.state.editor = start_editor(settings)``.
"""

from gateway.editor.routes import router
from gateway.editor.runtime import EditorRuntime, start_editor

__all__ = ["EditorRuntime", "router", "start_editor"]
