"""The official tables (附件 1–3 of notice 001): their import into the register
(``nuanxin.tables.imports``) and their export in the official layout (``nuanxin.tables.exports``).

An app above ``care``: the importer writes the register's records itself (in bulk, from the
stored dry run) and asks the domain's bulk services for the rest (care assignments, the
difficulties of the 存在困难 column)."""
