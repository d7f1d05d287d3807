-- The role tenant transactions switch to (SET LOCAL ROLE): never the table owner, never a
-- superuser, so row-level security applies to every query it runs. Roles are cluster-wide, so
-- this must tolerate a concurrent creation by another database's migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atrium_app') THEN
    CREATE ROLE atrium_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO atrium_app;
