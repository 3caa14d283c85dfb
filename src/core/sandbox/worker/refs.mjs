/**
 * Keeps references unforgeable: a value leaving the guest may name only objects the host has
 * already shown this call (the receiver, arguments, slot values, send results). Checked here,
 * outside QuickJS, so no guest trick (a Proxy, a toJSON) can smuggle in `{"$ref": 0}`.
 */

/**
 * Adds every oid referenced in a host-provided value to `into`.
 * @param {unknown} value
 * @param {Set<number>} into
 */
export function collectOids(value, into) {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectOids(item, into);
  } else if ('$ref' in value && typeof value.$ref === 'number' && Object.keys(value).length === 1) {
    into.add(value.$ref);
  } else {
    for (const item of Object.values(value)) collectOids(item, into);
  }
}

/**
 * Adds the oids referenced in host-provided JSON text to `into`.
 * @param {string} json
 * @param {Set<number>} into
 */
export function collectOidsFromJson(json, into) {
  if (json.includes('"$ref"')) collectOids(JSON.parse(json), into);
}

/**
 * Why guest-provided JSON text may not go to the host, or undefined when it may.
 * @param {string} json
 * @param {ReadonlySet<number>} known
 * @returns {string | undefined}
 */
export function refProblem(json, known) {
  // JSON from the guest may spell the key with escapes, so only text free of both is skipped.
  if (!json.includes('$ref') && !json.includes('\\u')) return undefined;
  return problemIn(JSON.parse(json), known);
}

/**
 * @param {unknown} value
 * @param {ReadonlySet<number>} known
 * @returns {string | undefined}
 */
function problemIn(value, known) {
  if (value === null || typeof value !== 'object') return undefined;
  const items = Array.isArray(value) ? value : Object.values(value);
  if (!Array.isArray(value) && Object.hasOwn(value, '$ref')) {
    const oid = /** @type {{ $ref: unknown }} */ (value).$ref;
    if (typeof oid !== 'number' || Object.keys(value).length !== 1)
      return 'the key "$ref" is reserved for object references';
    return known.has(oid) ? undefined : `no reference to object ${oid} was given to this method`;
  }
  for (const item of items) {
    const problem = problemIn(item, known);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
