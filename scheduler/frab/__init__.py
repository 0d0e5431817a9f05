"""Import a conference programme from a frab / c3voc ``schedule.xml`` (what pretalx, frab and wafer export).

:func:`read_frab` parses the file into a :class:`Programme`; :func:`import_frab` turns that into a
meeting folder (as text), the programme's own timetable (Problem + Schedule) and a :class:`Note` on
every choice the import had to make.
"""

from __future__ import annotations

from .importer import NOTES_FILE, PUBLISHED, Imported, Note, import_frab
from .read import FrabError, FrabEvent, Programme, read_frab

__all__ = ["NOTES_FILE", "PUBLISHED", "FrabError", "FrabEvent", "Imported", "Note", "Programme", "import_frab",
           "read_frab"]
