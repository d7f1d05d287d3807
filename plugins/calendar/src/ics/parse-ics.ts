/**
 * RFC 5545 content lines → a component tree. Only the structure is parsed here; values are read
 * by `values.ts` where their type is known.
 */

export interface IcsProperty {
  /** Upper case, e.g. `DTSTART`. */
  name: string;
  /** Parameter names upper case, values unquoted (`TZID`, `VALUE`…). */
  params: Record<string, string>;
  value: string;
}

export interface IcsComponent {
  /** Upper case, e.g. `VEVENT`. */
  name: string;
  properties: IcsProperty[];
  components: IcsComponent[];
}

/** The text is not iCalendar, or its components do not nest. */
export class IcsSyntaxError extends Error {
  override readonly name = 'IcsSyntaxError';
}

/** Joins folded lines: a line starting with a space or a tab continues the previous one. */
function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 0) lines[lines.length - 1] += line.slice(1);
    else if (line !== '') lines.push(line);
  }
  return lines;
}

/** `NAME;PARAM=a;OTHER="x:y":value` — colons and semicolons inside quotes belong to the parameter. */
function parseLine(line: string): IcsProperty | null {
  let quoted = false;
  const cuts: number[] = [];
  let colon = -1;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === ';') cuts.push(index);
    else if (!quoted && char === ':') {
      colon = index;
      break;
    }
  }
  if (colon < 0) return null;
  const head = line.slice(0, colon);
  const bounds = [...cuts, colon];
  const name = head.slice(0, bounds[0]).toUpperCase();
  const params: Record<string, string> = {};
  for (let index = 0; index < bounds.length - 1; index++) {
    const param = line.slice(bounds[index] + 1, bounds[index + 1]);
    const equals = param.indexOf('=');
    if (equals > 0) params[param.slice(0, equals).toUpperCase()] = param.slice(equals + 1).replace(/"/g, '');
  }
  return { name, params, value: line.slice(colon + 1) };
}

/**
 * Parses an iCalendar document into its top-level components (usually one `VCALENDAR`).
 * Lines that are not content lines are skipped; unbalanced `BEGIN`/`END` is an error.
 *
 * @example
 * const [calendar] = parseIcs('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR');
 * calendar.components[0].name; // 'VEVENT'
 */
export function parseIcs(text: string): IcsComponent[] {
  const roots: IcsComponent[] = [];
  const stack: IcsComponent[] = [];
  for (const line of unfold(text)) {
    const property = parseLine(line);
    if (!property) continue;
    if (property.name === 'BEGIN') {
      const component: IcsComponent = { name: property.value.trim().toUpperCase(), properties: [], components: [] };
      (stack.length > 0 ? stack[stack.length - 1].components : roots).push(component);
      stack.push(component);
    } else if (property.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== property.value.trim().toUpperCase()) {
        throw new IcsSyntaxError(`END:${property.value} does not close ${open ? `BEGIN:${open.name}` : 'anything'}`);
      }
    } else if (stack.length > 0) {
      stack[stack.length - 1].properties.push(property);
    }
  }
  if (stack.length > 0) throw new IcsSyntaxError(`BEGIN:${stack[stack.length - 1].name} is never closed`);
  return roots;
}

/** The first property of that name. */
export const propertyOf = (component: IcsComponent, name: string) => component.properties.find((property) => property.name === name);

/** Every property of that name. */
export const propertiesOf = (component: IcsComponent, name: string) => component.properties.filter((property) => property.name === name);

/** TEXT values escape `\\`, `\;`, `\,` and newlines as `\n`. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_match, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
}
