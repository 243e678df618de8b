/**
 * DNS names as the sync core writes them: lower case, fully qualified, without the final dot
 * (the form `DnsRecord` uses). Host names a pattern makes must be LDH (RFC 1123 section 2.1:
 * letters, digits, hyphens, no hyphen at either end of a label); zone names may also carry the
 * underscore and, in an RFC 2317 classless reverse zone, one '/' in the first label.
 */

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ZONE_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** RFC 1035 2.3.4: 255 octets on the wire, so 253 characters of text without the final dot. */
export const MAX_NAME_LENGTH = 253;

/** Lower case, without one final dot: "Cloud.Example.COM." is "cloud.example.com". */
export function normalName(text: string): string {
  return (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
}

/** Why `name` (already normal) is not a host name, or undefined when it is one. */
export function hostNameProblem(name: string): string | undefined {
  return nameProblem(name, HOST_LABEL, 'letters, digits and inner hyphens');
}

/** Why `name` (already normal) is not a zone name, or undefined when it is one. */
export function zoneNameProblem(name: string): string | undefined {
  return nameProblem(name, ZONE_LABEL, "letters, digits, '_' and inner hyphens");
}

function nameProblem(name: string, label: RegExp, allowed: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > MAX_NAME_LENGTH)
    return `is ${name.length} characters long, more than DNS allows (${MAX_NAME_LENGTH})`;
  for (const part of name.split('.')) {
    if (part === '') return 'has an empty label (two dots in a row, or a leading dot)';
    if (part.length > 63) return `has a label of ${part.length} characters, more than DNS allows (63)`;
    if (!label.test(part)) return `has the label ${JSON.stringify(part)}, which is not ${allowed} only`;
  }
  return undefined;
}
