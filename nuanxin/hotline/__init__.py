"""The psychological care hotline (measure 4 of notice 001, 心理关爱辅导热线): hotlines and their
members, the duty rota, call records, screening scales and the public self-assessment,
crisis cases, callbacks and referrals, figures. Psychological records are visible only to the
counsellors and supervisors of their hotline (``core/roles.py`` HOTLINE_RECORDS)."""
