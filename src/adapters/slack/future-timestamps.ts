/** Refusing signed requests dated in the future, which Bolt's own check lets through. */
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../chat/front-end.ts';

/** Slack's own tolerance for clock skew, used for stale requests too. */
const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Wraps the receiver's request listener so that a request whose `X-Slack-Request-Timestamp`
 * lies more than five minutes ahead is answered 401 before Bolt parses it or any handler
 * runs. (Bolt refuses stale timestamps itself.) A replayed request cannot be post-dated
 * without breaking the signature, so this closes the window a pre-signed request would open.
 */
export function refuseFutureTimestamps(receiver: HTTPReceiver, log: Logger): void {
  const next = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const header = req.headers['x-slack-request-timestamp'];
    const timestamp = Number(Array.isArray(header) ? header[0] : header);
    if (Number.isFinite(timestamp) && timestamp - Date.now() / 1000 > MAX_SKEW_SECONDS) {
      log.warn('slack: refused a request dated in the future');
      res.writeHead(401).end();
      return;
    }
    next(req, res);
  };
}
