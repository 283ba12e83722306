"""Signals of the curriculum layer, for the layers above it (which know of curriculum, never the
other way round): the LMS records a pack import in its audit log."""

from blinker import Namespace

_signals = Namespace()

#: sent by ``lms curriculum import`` with ``report=<ImportReport>`` once a pack is imported (in
#: the import's transaction, before its commit)
pack_imported = _signals.signal("curriculum.pack-imported")
