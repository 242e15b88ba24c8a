"""How long a citizen's question may be: the one limit every part of the assistant uses.

Any chat message may be a question for the guidance service, so the gateway's message limit
(HTTP, WebSocket, the adviser console and canned replies), the action server's reader of the
latest message, the gap stream (``records.gaps``) and the editor's "Try a question" all take
:data:`MAX_QUESTION_CHARS` from here. The limit for an *example* question in an article's
``questions`` field is the article format's own (``knowledge.example_questions.MAX_CHARS``).
Nothing else is imported here, so any process can use it without loading the index.
"""

from __future__ import annotations

MAX_QUESTION_CHARS = 1000
