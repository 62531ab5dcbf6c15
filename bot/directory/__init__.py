"""The directory: organisations, people, group chats and the centre, kept in a YAML file.

`load_directory` validates a file (every problem with its line and column),
`import_directory` makes the database match it, `export_directory` writes it back.
"""

from bot.directory.checks import check_directory, directory_warnings
from bot.directory.export import DirectoryEmpty, dump_directory, export_directory, read_directory
from bot.directory.loader import (
    MAX_FILE_BYTES,
    DirectoryInvalid,
    Problem,
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
from bot.directory.sync import import_directory, to_records
from db.directory_records import SyncReport

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
    "to_records",
]
