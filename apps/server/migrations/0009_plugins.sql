CREATE TABLE "capability_executions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workspace_id" text,
	"capability_id" text NOT NULL,
	"provider" text NOT NULL,
	"owner_id" text,
	"status" text NOT NULL,
	"input" text,
	"output" text,
	"error" jsonb,
	"logs" jsonb,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"actor" jsonb,
	"via" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "capability_executions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "mcp_servers" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"headers" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"tools" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tools_refreshed_at" timestamp with time zone,
	"last_error" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mcp_servers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plugin_installations" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"plugin_id" text NOT NULL,
	"package_id" text NOT NULL,
	"pending_package_id" text,
	"status" text NOT NULL,
	"granted_permissions" text[] DEFAULT '{}'::text[] NOT NULL,
	"consented_by" text,
	"consented_at" timestamp with time zone,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" text,
	"disabled_reason" text,
	"last_error" text,
	"installed_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plugin_installations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plugin_org_settings" (
	"org_id" text PRIMARY KEY NOT NULL,
	"developer_mode" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plugin_org_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plugin_packages" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"plugin_id" text NOT NULL,
	"version" text NOT NULL,
	"digest" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"code" text NOT NULL,
	"signed_by" text,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plugin_packages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plugin_store" (
	"org_id" text NOT NULL,
	"installation_id" text NOT NULL,
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plugin_store_org_id_installation_id_key_pk" PRIMARY KEY("org_id","installation_id","key")
);
--> statement-breakpoint
ALTER TABLE "plugin_store" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "capability_executions_org_created_idx" ON "capability_executions" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "capability_executions_owner_idx" ON "capability_executions" USING btree ("org_id","owner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mcp_servers_workspace_slug_idx" ON "mcp_servers" USING btree ("org_id","workspace_id","slug");--> statement-breakpoint
CREATE INDEX "mcp_servers_org_idx" ON "mcp_servers" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plugin_installations_workspace_plugin_idx" ON "plugin_installations" USING btree ("org_id","workspace_id","plugin_id");--> statement-breakpoint
CREATE UNIQUE INDEX "plugin_packages_digest_idx" ON "plugin_packages" USING btree ("org_id","digest");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "capability_executions" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "mcp_servers" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "plugin_installations" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "plugin_org_settings" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "plugin_packages" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "plugin_store" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));