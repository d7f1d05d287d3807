CREATE TABLE "gateway_policies" (
	"org_id" text NOT NULL,
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"requests_per_minute" integer,
	"tokens_per_minute" integer,
	"requests_per_day" integer,
	"budget_micros" bigint,
	"budget_period" text,
	"allowed_models" text[],
	"cache_ttl_seconds" integer,
	"log_bodies" boolean,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gateway_policies_org_id_scope_scope_id_pk" PRIMARY KEY("org_id","scope","scope_id")
);
--> statement-breakpoint
ALTER TABLE "gateway_policies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gateway_request_bodies" (
	"request_id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"request" text,
	"response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gateway_request_bodies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gateway_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"request_id" text,
	"workspace_id" text,
	"api_key_id" text,
	"user_id" text,
	"endpoint" text NOT NULL,
	"requested_model" text NOT NULL,
	"connection_id" text,
	"provider" text,
	"model" text,
	"status" integer NOT NULL,
	"error_code" text,
	"stream" boolean DEFAULT false NOT NULL,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	"estimated" boolean DEFAULT false NOT NULL,
	"cache" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	"latency_ms" integer NOT NULL,
	"overhead_ms" integer,
	"first_token_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gateway_requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "gateway_routes" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"model" text NOT NULL,
	"strategy" text NOT NULL,
	"targets" jsonb NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"timeout_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "gateway_routes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "model_prices" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_per_m" bigint NOT NULL,
	"output_per_m" bigint NOT NULL,
	"cached_input_per_m" bigint,
	"currency" text DEFAULT 'USD' NOT NULL,
	"effective_from" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "model_prices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "provider_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"workspace_id" text,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"base_url" text,
	"api_key" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "provider_connections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "gateway_requests_org_time_idx" ON "gateway_requests" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "gateway_requests_key_time_idx" ON "gateway_requests" USING btree ("api_key_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_routes_model_idx" ON "gateway_routes" USING btree ("org_id","model");--> statement-breakpoint
CREATE INDEX "model_prices_lookup_idx" ON "model_prices" USING btree ("model","effective_from");--> statement-breakpoint
CREATE UNIQUE INDEX "provider_connections_name_idx" ON "provider_connections" USING btree ("org_id","name");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gateway_policies" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gateway_request_bodies" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gateway_requests" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "gateway_routes" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "prices_read" ON "model_prices" AS PERMISSIVE FOR SELECT TO public USING (org_id is null or org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "prices_write" ON "model_prices" AS PERMISSIVE FOR INSERT TO public WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "prices_delete" ON "model_prices" AS PERMISSIVE FOR DELETE TO public USING (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "provider_connections" AS PERMISSIVE FOR ALL TO public USING (org_id = nullif(current_setting('app.org_id', true), '')) WITH CHECK (org_id = nullif(current_setting('app.org_id', true), ''));--> statement-breakpoint
-- The platform's seeded prices (micro-units per 1M tokens). Organisations add their own rows to override.
INSERT INTO "model_prices" ("id", "org_id", "provider", "model", "input_per_m", "output_per_m", "cached_input_per_m", "currency", "effective_from") VALUES
('price_seed_001', NULL, 'openai', 'gpt-5', 1250000, 10000000, 125000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_002', NULL, 'openai', 'gpt-5-mini', 250000, 2000000, 25000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_003', NULL, 'openai', 'gpt-5-nano', 50000, 400000, 5000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_004', NULL, 'openai', 'gpt-4.1', 2000000, 8000000, 500000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_005', NULL, 'openai', 'gpt-4.1-mini', 400000, 1600000, 100000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_006', NULL, 'openai', 'gpt-4.1-nano', 100000, 400000, 25000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_007', NULL, 'openai', 'gpt-4o', 2500000, 10000000, 1250000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_008', NULL, 'openai', 'gpt-4o-mini', 150000, 600000, 75000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_009', NULL, 'openai', 'o3', 2000000, 8000000, 500000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_010', NULL, 'openai', 'o4-mini', 1100000, 4400000, 275000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_011', NULL, 'openai', 'o1', 15000000, 60000000, 7500000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_012', NULL, 'openai', 'gpt-3.5-turbo', 500000, 1500000, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_013', NULL, 'openai', 'text-embedding-3-small', 20000, 0, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_014', NULL, 'openai', 'text-embedding-3-large', 130000, 0, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_015', NULL, 'anthropic', 'claude-opus-4', 15000000, 75000000, 1500000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_016', NULL, 'anthropic', 'claude-sonnet-4', 3000000, 15000000, 300000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_017', NULL, 'anthropic', 'claude-haiku-4-5', 1000000, 5000000, 100000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_018', NULL, 'anthropic', 'claude-3-7-sonnet', 3000000, 15000000, 300000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_019', NULL, 'anthropic', 'claude-3-5-sonnet', 3000000, 15000000, 300000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_020', NULL, 'anthropic', 'claude-3-5-haiku', 800000, 4000000, 80000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_021', NULL, 'anthropic', 'claude-3-haiku', 250000, 1250000, 30000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_022', NULL, 'gemini', 'gemini-2.5-pro', 1250000, 10000000, 310000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_023', NULL, 'gemini', 'gemini-2.5-flash', 300000, 2500000, 75000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_024', NULL, 'gemini', 'gemini-2.5-flash-lite', 100000, 400000, 25000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_025', NULL, 'gemini', 'gemini-2.0-flash', 100000, 400000, 25000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_026', NULL, 'gemini', 'text-embedding-004', 0, 0, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_027', NULL, '*', 'deepseek-chat', 270000, 1100000, 70000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_028', NULL, '*', 'deepseek-reasoner', 550000, 2190000, 140000, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_029', NULL, '*', 'mistral-large-latest', 2000000, 6000000, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_030', NULL, '*', 'mistral-small-latest', 100000, 300000, NULL, 'USD', '2025-01-01T00:00:00Z'),
('price_seed_031', NULL, '*', 'llama-3.3-70b-versatile', 590000, 790000, NULL, 'USD', '2025-01-01T00:00:00Z');
