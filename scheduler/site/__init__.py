"""A publication site with a release history, and the server that previews and serves it."""

from .changes import Changes, changes_between
from .history import (
    CHANGELOG,
    LEDGER,
    RELEASE_INDEX,
    RELEASES_DIR,
    Release,
    ReleaseInfo,
    Site,
    make_release,
    open_site,
    write_release,
)

__all__ = ["CHANGELOG", "LEDGER", "RELEASES_DIR", "RELEASE_INDEX", "Changes", "Release", "ReleaseInfo", "Site",
           "changes_between", "make_release", "open_site", "write_release"]
