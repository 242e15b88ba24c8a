"""Editor maintenance from the command line; reads the gateway's Settings (its environment).

.venv/bin/python -m gateway.editor sync     # import new or changed article files
.venv/bin/python -m gateway.editor export   # write published editor versions back to the files
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from redis.exceptions import RedisError

from editorial.keys import EditorKeys
from editorial.seeding import export_published, sync_from_files
from editorial.store import ArticleStore
from gateway.settings import Settings
from records.redis_connect import sync_client


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m gateway.editor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=("sync", "export"))
    parser.add_argument("--dir", type=Path, help="articles folder (default: KNOWLEDGE_DIR)")
    args = parser.parse_args(argv)
    settings = Settings()
    folder = args.dir or Path(settings.knowledge_dir)
    client = sync_client(settings.redis_url, settings.redis_sentinels,
                         settings.redis_sentinel_master)  # the Sentinels' master when set
    store = ArticleStore(client, EditorKeys(settings.redis_key_prefix))
    try:
        if args.command == "sync":
            report = sync_from_files(store, folder)
            print(
                f"imported {len(report.imported)}, updated {len(report.updated)}, kept the "
                f"editor's version of {len(report.kept_editor_version)}, skipped "
                f"{len(report.skipped)}: {', '.join(report.skipped) or 'none'}"
            )
        else:
            written = export_published(store, folder)
            print(f"wrote {len(written)} file(s): {', '.join(written) or 'none'}")
            if written:
                print(f"review with: git diff -- {folder}")
    except RedisError as exc:
        print(f"Redis is not reachable at {settings.redis_url}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
