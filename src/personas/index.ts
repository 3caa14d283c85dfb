/**
 * The personas: who they are (the codex) and their objects in the image, how a message
 * finds one (addressing by name, the rule-based router and the model router), the
 * conversation turns and their history per thread, and ALFRED's audit of the image with
 * its heartbeat.
 *
 * The composition root calls {@link personaPrimitives} (into `UvmOptions.primitives`),
 * {@link installPersonas} after `uvm.bootstrap`, gives a {@link PersonaConversation} to the
 * bot, and may {@link startHeartbeat}.
 */
export { AUDITOR, PERSONA_NAMES } from './names.ts';
export type { PersonaName } from './names.ts';
export { PERSONA_CODEX } from './codex.ts';
export type { PersonaSpec } from './codex.ts';
export { PERSONA_HELP } from './help.ts';
export { parseAddressing } from './addressing.ts';
export type { Addressable, Addressed } from './addressing.ts';
export { buildRouterPrompt, routeByRules } from './router.ts';
export type { Routable, RouteDecision } from './router.ts';
export { trimHistory, trimHistoryInSteps } from './history.ts';
export type { HistoryLimits } from './history.ts';
export { auditKindOf, renderAuditReport } from './audit-report.ts';
export type { AuditFinding, AuditFindingKind, AuditSummary } from './audit-report.ts';
export { runAudit } from './audit.ts';
export type { AuditOptions } from './audit.ts';
export { LAST_AUDIT_PRIMITIVE } from './audit-record.ts';
export { installPersonas } from './install.ts';
export type { InstalledPersonas } from './install.ts';
export { AUDIT_PRIMITIVE, DESCRIBE_PRIMITIVE, personaPrimitives } from './primitives.ts';
export type { PersonaPrimitiveOptions } from './primitives.ts';
export { PERSONA_PROTOTYPE_NAME, readPersonas } from './records.ts';
export { aliasProblem, personaSlotRule } from './alias-rule.ts';
export type { PersonaRecord } from './records.ts';
export { CONVERSATIONS_SLOT, readThread, threadKey, threadObject } from './threads.ts';
export type { StoredTurn } from './threads.ts';
export { PersonaConversation } from './conversation.ts';
export type { ConversationOptions } from './conversation.ts';
export { startHeartbeat } from './heartbeat.ts';
export type { Heartbeat, HeartbeatOptions } from './heartbeat.ts';
