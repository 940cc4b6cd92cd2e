"""Reports over the store: the questions (``queries/*.sql``), exports, plots and the doctor.

Imported by the CLI side only (never by instrumented programs). Heavy libraries — chdb, pandas,
pyarrow, openpyxl, matplotlib — are imported inside the functions that need them, so importing
this package stays cheap.
"""
