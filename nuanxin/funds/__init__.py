"""Special funds (measures 1 and 3): funds of an organisation, a ledger of immutable postings,
allocations down the tree and returns up, expenditures with receipts and beneficiaries,
condolence rounds, maker-checker approval with the parent's approval above a threshold, and
the figures rolled up the tree."""
