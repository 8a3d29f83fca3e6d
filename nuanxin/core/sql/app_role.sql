-- The application's database role (docs/operations.md, 数据库角色): it reads and writes the
-- register but owns nothing, and may only add to and read the audit log (and the funds' ledger
-- lines), so that neither the
-- application nor anyone holding its password can empty or rewrite the log (TRUNCATE,
-- disabling the triggers, session_replication_role).
--
-- Run as the owner role in the application's database after `nuanxin migrate`, and again after
-- every upgrade (it is safe to repeat):
--   psql "postgres://nuanxin_owner:PASSWORD@HOST:5432/nuanxin" -v ON_ERROR_STOP=1 -f nuanxin/core/sql/app_role.sql
-- The roles are nuanxin_owner (owns the schema, runs migrations) and nuanxin_app (DATABASE_URL).

GRANT USAGE ON SCHEMA public TO nuanxin_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nuanxin_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO nuanxin_app;

-- Tables and sequences that later migrations create get the same rights.
ALTER DEFAULT PRIVILEGES FOR ROLE nuanxin_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nuanxin_app;
ALTER DEFAULT PRIVILEGES FOR ROLE nuanxin_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO nuanxin_app;

-- The audit log and the funds' ledger lines: INSERT and SELECT only (a mistake in the ledger
-- is corrected by a reversing entry, never by changing a line).
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON core_auditlog FROM nuanxin_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON funds_posting FROM nuanxin_app;
