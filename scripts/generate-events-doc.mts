// Writes docs/events.md from the event definitions in @atrium/contracts: `npx tsx scripts/generate-events-doc.mts > docs/events.md`.
import { z } from 'zod';
import {
  AuditEvents,
  BillingEvents,
  CapabilityEvents,
  GatewayEvents,
  IdentityEvents,
  MeteringEvents,
  PluginEvents,
  TenancyEvents,
  WebhookEvents,
} from '../packages/contracts/src/index.ts';

const groups = {
  Identity: IdentityEvents,
  Tenancy: TenancyEvents,
  Webhooks: WebhookEvents,
  'Audit log': AuditEvents,
  Gateway: GatewayEvents,
  Metering: MeteringEvents,
  Billing: BillingEvents,
  'Plugins and MCP servers': PluginEvents,
  Capabilities: CapabilityEvents,
};
let out = `# Events\n\nEverything that changes in Atrium is a domain event, named \`noun.verb\` in the past tense. Each\nevent is recorded in the [audit log](audit-log.md) and can be delivered to [webhooks](webhooks.md)\n(where its payload is the \`data\` field). The same list, with full JSON Schemas, is served at\n\`GET /api/v1/webhooks/event-types\`; the schemas are defined in \`@atrium/contracts\`\n(\`packages/contracts/src/events.ts\`).\n`;
for (const [group, events] of Object.entries(groups)) {
  out += `\n## ${group}\n\n| type | meaning | payload |\n|---|---|---|\n`;
  for (const [type, definition] of Object.entries(events)) {
    const schema = z.toJSONSchema(definition.payload) as {
      properties: Record<string, { type?: unknown; enum?: unknown[] }>;
      required?: string[];
    };
    const fields = Object.entries(schema.properties).map(([name, property]) => {
      const kind = property.enum
        ? property.enum.join(' \\| ')
        : Array.isArray(property.type)
          ? property.type.join(' \\| ')
          : (property.type ?? 'any');
      return `\`${name}\` (${kind})`;
    });
    out += `| \`${type}\` | ${definition.description} | ${fields.join(', ')} |\n`;
  }
}
process.stdout.write(out);
