"""The funds API (/api/v1/funds, /api/v1/fund-entries): one router per area."""
