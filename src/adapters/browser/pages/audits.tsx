/**
 * The audits page: ALFRED's audits as `Uvm.audits` gives them to the viewer, newest first,
 * each finding linked to its object (and to the method, when the slot holds one); findings
 * on objects the viewer may not read are only counted. Live: a new audit shows as it is kept.
 */
import type { AuditFindingView, AuditView } from '../../../core/uvm/audits.ts';
import { Layout, objectHref } from '../pages.tsx';
import type { Viewer } from '../sign-in.ts';

/** Where a finding links: its object, at the method when the slot holds one. */
function findingHref(finding: AuditFindingView & { object: { oid: number } }): string {
  const page = objectHref(finding.object.oid);
  return finding.method && finding.slot !== undefined
    ? `${page}#method-${encodeURIComponent(finding.slot)}`
    : page;
}

function Finding(props: { finding: AuditFindingView }) {
  const { finding } = props;
  const where = finding.object === undefined ? undefined : { ...finding, object: finding.object };
  return (
    <li class="finding" data-kind={finding.kind}>
      <span class="muted">{finding.kind}</span>{' '}
      {where === undefined ? (
        <code>
          {[finding.gone === undefined ? '' : `#${finding.gone} (gone)`, finding.slot ?? '']
            .filter((part) => part !== '')
            .join(' ')}
        </code>
      ) : (
        <a href={findingHref(where)}>
          {where.object.label}
          {finding.slot === undefined ? '' : ` ${finding.slot}`}
        </a>
      )}
      : {finding.message}
    </li>
  );
}

function Audit(props: { audit: AuditView; n: number }) {
  const { audit } = props;
  const clean = audit.findings.length === 0 && audit.withheld === 0 && audit.integrity === 'ok';
  return (
    <section class="audit" id={`audit-${props.n}`}>
      <h2>{audit.at}</h2>
      <p class="muted">
        {audit.tx === undefined ? (
          'kept in the audit record (its transaction is no longer in history)'
        ) : (
          <>
            <a href={`/history?tx=${audit.tx}`}>tx {audit.tx}</a>
            {audit.by === undefined ? '' : `, asked by ${audit.by}`}
          </>
        )}
        {` · ${audit.objects.toLocaleString('en-US')} objects and ${audit.methods.toLocaleString('en-US')} methods examined`}
        {audit.collected === undefined ? '' : ` · ${audit.collected} unreachable collected`}
      </p>
      {clean ? <p class="done">In good order: nothing found.</p> : null}
      {audit.integrity === 'ok' ? null : (
        <p class="refused">The database's integrity check reports: {audit.integrity}</p>
      )}
      {audit.findings.length === 0 ? null : (
        <ul>
          {audit.findings.map((finding) => (
            <Finding finding={finding} />
          ))}
        </ul>
      )}
      {audit.withheld === 0 ? null : (
        <p class="muted withheld">
          {audit.withheld} finding(s) on objects you may not read are not shown; their owners and
          BAT OS's admins see them.
        </p>
      )}
      {audit.omitted === undefined ? null : (
        <p class="muted">{audit.omitted} further finding(s) the audit did not list.</p>
      )}
    </section>
  );
}

/** Where the audits page hears of a new audit (see the `/events` route). */
const AUDITS_EVENTS = '/events?audits=1';

/** ALFRED's audits, newest first. */
export function AuditsPage(props: { viewer: Viewer; csrf: string; audits: readonly AuditView[] }) {
  return (
    <Layout title="Audits" viewer={props.viewer} csrf={props.csrf} live={AUDITS_EVENTS}>
      <h1>ALFRED's audits</h1>
      {props.audits.length === 0 ? (
        <p class="muted" id="no-audits">
          ALFRED has kept no audit yet. Ask him in chat: <code>alfred auditPersistence</code>; his
          heartbeat audits every BATOS_AUDIT_INTERVAL_MINUTES.
        </p>
      ) : (
        props.audits.map((audit, i) => <Audit audit={audit} n={i + 1} />)
      )}
    </Layout>
  );
}
