"""A PC that runs one sync round, for kill tests: ``python -m tests.helpers.sync_child DIR``.

The server's URL comes from ``SOTONG_TEST_SERVER_URL`` (password included; an environment
variable, not the command line). Started with ``SOTONG_FAILPOINT=name`` it dies by SIGKILL
at that point. ``SOTONG_TEST_PULL_PAGE`` makes pull pages small, so a round has several;
``SOTONG_TEST_MERGE_CHUNK`` does the same for a first copy's merge of the PC's own rows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import make_url

from console.store.engine import open_store
from console.store.server import open_server_store
from console.sync import engine as sync_engine


def main() -> None:
    page = os.environ.get("SOTONG_TEST_PULL_PAGE")
    if page:
        sync_engine.PULL_PAGE = int(page)
    chunk = os.environ.get("SOTONG_TEST_MERGE_CHUNK")
    if chunk:
        from console.sync import _merge

        _merge.MERGE_CHUNK = int(chunk)
    local = open_store(Path(sys.argv[1]))
    server = open_server_store(make_url(os.environ["SOTONG_TEST_SERVER_URL"]))
    engine = sync_engine.SyncEngine(local, server)
    report = engine.sync_once()
    print(report.pushed, report.pulled)
    engine.close()
    server.close()
    local.close()


if __name__ == "__main__":
    main()
