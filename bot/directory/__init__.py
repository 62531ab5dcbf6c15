"""The directory: organisations, people, group chats and the centre, kept in a YAML file.

`load_directory` validates a file (every problem with its line and column),
`sync_directory` makes the database match it, `export_directory` writes it back.
"""

from bot.directory.loader import (
    MAX_FILE_BYTES,
    DirectoryInvalid,
    Problem,
    check_directory,
    directory_warnings,
    load_directory,
    parse_directory,
)
from bot.directory.schema import (
    CentreSpec,
    ChatSpec,
    DirectorySpec,
    OrganisationSpec,
    PersonSpec,
)
from bot.directory.sync import (
    DirectoryEmpty,
    SyncReport,
    dump_directory,
    export_directory,
    import_directory,
    read_directory,
    sync_directory,
)

__all__ = [
    "MAX_FILE_BYTES",
    "CentreSpec",
    "ChatSpec",
    "DirectoryEmpty",
    "DirectoryInvalid",
    "DirectorySpec",
    "OrganisationSpec",
    "PersonSpec",
    "Problem",
    "SyncReport",
    "check_directory",
    "directory_warnings",
    "dump_directory",
    "export_directory",
    "import_directory",
    "load_directory",
    "parse_directory",
    "read_directory",
    "sync_directory",
]
