-- Tables, sequences and functions that later migrations create get the workers' grants
-- automatically (002_grants.sql covers the objects that existed then). A later migration that
-- must restrict a table (as audit_event) revokes explicitly.
ALTER DEFAULT PRIVILEGES FOR ROLE jhe_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO jhe_app;
ALTER DEFAULT PRIVILEGES FOR ROLE jhe_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO jhe_app;
