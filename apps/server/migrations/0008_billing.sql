CREATE TABLE "billing_profiles" (
	"org_id" text PRIMARY KEY NOT NULL,
	"legal_name" text,
	"email" text,
	"address" text,
	"tax_id" text,
	"tax_rate_bp" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_profiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "billing_provider_events" (
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_provider_events_provider_event_id_pk" PRIMARY KEY("provider","event_id")
);
--> statement-breakpoint
ALTER TABLE "billing_provider_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "credits" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "invoice_sequences" (
	"issuer" text PRIMARY KEY NOT NULL,
	"last_number" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoice_sequences" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"number" text,
	"issuer" text NOT NULL,
	"status" text NOT NULL,
	"billing_key" text NOT NULL,
	"currency" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"lines" jsonb NOT NULL,
	"subtotal" bigint NOT NULL,
	"credits" bigint DEFAULT 0 NOT NULL,
	"credit_applications" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tax_rate_bp" integer DEFAULT 0 NOT NULL,
	"tax" bigint DEFAULT 0 NOT NULL,
	"total" bigint NOT NULL,
	"amount_paid" bigint DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone,
	"finalized_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"provider_invoice_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plan_versions" (
	"plan_id" text NOT NULL,
	"version" integer NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"monthly_amount" bigint,
	"yearly_amount" bigint,
	"seat_amount" bigint DEFAULT 0 NOT NULL,
	"included_seats" integer DEFAULT 1 NOT NULL,
	"min_seats" integer DEFAULT 1 NOT NULL,
	"max_seats" integer,
	"trial_days" integer DEFAULT 0 NOT NULL,
	"limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"quotas" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"features" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plan_versions_plan_id_version_pk" PRIMARY KEY("plan_id","version")
);
--> statement-breakpoint
ALTER TABLE "plan_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"public" boolean DEFAULT true NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "plans" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"plan_version" integer NOT NULL,
	"status" text NOT NULL,
	"interval" text DEFAULT 'month' NOT NULL,
	"seats" integer DEFAULT 1 NOT NULL,
	"current_period_start" timestamp with time zone NOT NULL,
	"current_period_end" timestamp with time zone NOT NULL,
	"trial_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"canceled_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"past_due_since" timestamp with time zone,
	"restricted_at" timestamp with time zone,
	"provider" text DEFAULT 'manual' NOT NULL,
	"provider_customer_id" text,
	"provider_subscription_id" text,
	"notices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "usage_events" (
	"org_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"metric" text NOT NULL,
	"quantity" numeric NOT NULL,
	"workspace_id" text,
	"api_key_id" text,
	"dimensions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_events_org_id_idempotency_key_pk" PRIMARY KEY("org_id","idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "usage_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "credits_org_idx" ON "credits" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_billing_key_idx" ON "invoices" USING btree ("org_id","billing_key");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_idx" ON "invoices" USING btree ("issuer","number");--> statement-breakpoint
CREATE INDEX "invoices_org_created_idx" ON "invoices" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "plans_slug_idx" ON "plans" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_org_idx" ON "subscriptions" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "subscriptions_period_end_idx" ON "subscriptions" USING btree ("current_period_end");--> statement-breakpoint
CREATE INDEX "usage_events_metric_idx" ON "usage_events" USING btree ("org_id","metric","at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "billing_profiles" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "credits" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "invoices" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "plans_read" ON "plan_versions" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "plans_read" ON "plans" AS PERMISSIVE FOR SELECT TO public USING (true);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "subscriptions" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "usage_events" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
INSERT INTO "plans" ("id", "slug", "name", "description", "sort_order") VALUES
('plan_spark', 'spark', 'Spark', 'A free 30-day trial: one user and everything you need to try Atrium.', 0),
('plan_solo', 'solo', 'Solo', 'For one builder shipping to production.', 1),
('plan_team', 'team', 'Team', 'For teams of 2 to 7 working together.', 2),
('plan_enterprise', 'enterprise', 'Enterprise', 'Custom terms, no caps, pay for what you use.', 3);
--> statement-breakpoint
INSERT INTO "plan_versions" ("plan_id", "version", "monthly_amount", "yearly_amount", "seat_amount", "included_seats", "min_seats", "max_seats", "trial_days", "limits", "quotas", "features") VALUES
('plan_spark', 1, 0, 0, 0, 1, 1, 1, 30,
 '{"requests_per_minute": 60, "requests_per_day": 1000}',
 '{"tokens": {"included": 1000000, "overage": null}, "requests": {"included": 1000, "overage": null}, "agents": {"included": 5, "overage": null}, "storage_bytes": {"included": 1000000000, "overage": null}, "agent_runs": {"included": 500, "overage": null}, "workflow_steps": {"included": 2000, "overage": null}, "plugin_executions": {"included": 2000, "overage": null}}',
 '{"api_access": "full", "webhooks": 1, "sso": false, "byok": true, "white_label": false, "custom_domain": false, "audit_export": false, "custom_roles": false, "marketplace_publish": false, "priority_models": false}'),
('plan_solo', 1, 2900, 29000, 0, 1, 1, 1, 0,
 '{"requests_per_minute": 300, "requests_per_day": 10000}',
 '{"tokens": {"included": 5000000, "overage": {"unit_amount": 200, "unit_size": 1000000}}, "requests": {"included": 10000, "overage": {"unit_amount": 1, "unit_size": 1}}, "agents": {"included": 25, "overage": null}, "storage_bytes": {"included": 10000000000, "overage": {"unit_amount": 10, "unit_size": 1000000000}}, "agent_runs": {"included": 5000, "overage": {"unit_amount": 1, "unit_size": 1}}, "workflow_steps": {"included": 20000, "overage": {"unit_amount": 1, "unit_size": 10}}, "plugin_executions": {"included": 20000, "overage": {"unit_amount": 1, "unit_size": 10}}}',
 '{"api_access": "full", "webhooks": 5, "sso": false, "byok": true, "white_label": false, "custom_domain": false, "audit_export": true, "custom_roles": false, "marketplace_publish": true, "priority_models": false}'),
('plan_team', 1, 9900, 99000, 1900, 2, 2, 7, 0,
 '{"requests_per_minute": 1000, "requests_per_day": 100000}',
 '{"tokens": {"included": 20000000, "overage": {"unit_amount": 150, "unit_size": 1000000}}, "requests": {"included": 100000, "overage": {"unit_amount": 1, "unit_size": 1}}, "agents": {"included": 100, "overage": null}, "storage_bytes": {"included": 50000000000, "overage": {"unit_amount": 8, "unit_size": 1000000000}}, "agent_runs": {"included": 50000, "overage": {"unit_amount": 1, "unit_size": 2}}, "workflow_steps": {"included": 200000, "overage": {"unit_amount": 1, "unit_size": 20}}, "plugin_executions": {"included": 200000, "overage": {"unit_amount": 1, "unit_size": 20}}}',
 '{"api_access": "full", "webhooks": 25, "sso": true, "byok": true, "white_label": false, "custom_domain": true, "audit_export": true, "custom_roles": true, "marketplace_publish": true, "priority_models": true}'),
('plan_enterprise', 1, 0, 0, 0, 1, 1, NULL, 0,
 '{}',
 '{"tokens": {"included": 0, "overage": {"unit_amount": 100, "unit_size": 1000000}}, "requests": {"included": null, "overage": null}, "agents": {"included": null, "overage": null}, "storage_bytes": {"included": null, "overage": null}, "agent_runs": {"included": 0, "overage": {"unit_amount": 1, "unit_size": 5}}, "workflow_steps": {"included": 0, "overage": {"unit_amount": 1, "unit_size": 50}}, "plugin_executions": {"included": 0, "overage": {"unit_amount": 1, "unit_size": 50}}}',
 '{"api_access": "full", "webhooks": null, "sso": true, "byok": true, "white_label": true, "custom_domain": true, "audit_export": true, "custom_roles": true, "marketplace_publish": true, "priority_models": true, "custom_pricing": true}');
