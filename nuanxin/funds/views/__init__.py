"""The funds' pages, one module per area:

- ``funds``: the list of funds, a fund's page (balance, entries), opening and changing a fund,
  income, allocations down and returns up, the statement (page, xlsx, PDF), thresholds;
- ``entries``: the approval queue, an entry's page, approve / reject, reversal;
- ``spending``: expenditures with receipts and beneficiaries, condolence rounds;
- ``figures``: the figures rolled up the tree (allocated, spent by category, remaining, by
  month) with a chart, and the spending list export.
"""
