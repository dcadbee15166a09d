"""Prior-year Form 8606 PDFs: fillable (AcroForm, read by field map) and flattened or printed (read by position).

Nothing heavy at import time: pypdf is imported inside the functions that need it.
"""

from basis_ledger.ingest.pdf8606.importer import Form8606Pdf, inspect_object

__all__ = ["Form8606Pdf", "inspect_object"]
