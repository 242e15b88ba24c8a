"""``python -m knowledge``: the editors' and operators' command line."""

from knowledge.cli import main

raise SystemExit(main())
