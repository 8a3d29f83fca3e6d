"""Import of the official tables (附件 1–3 of notice 001) into the register.

The path of a file: ``safety.check_file`` refuses hostile files before any parser sees them,
``reader`` yields the rows of every sheet (xlsx, xls, ods through python-calamine; csv in
UTF-8 or GBK), ``headers`` finds the header row and recognises the table, ``rows`` turns the
cells of a row into normalised values or reasons, ``planner`` decides every row's outcome
(the dry run, stored as ``ImportRow``), and ``services`` apply and undo the stored plan.
"""
