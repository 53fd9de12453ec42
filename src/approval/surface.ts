// What a transport offers a person for approvals: whether it serves the approval page, how a person signs in there, who
// announces each new approval, and how the lack of a way to approve is told. The transport decides; the server asks it.
import type { Logger } from '../core/logger.js';
import type { ApprovalDesk } from '../guard/types.js';
import type { ApprovalWeb, SignIn } from './web.js';

type Promisable<T> = T | Promise<T>;

export interface ApprovalSurface {
  /** The approval page, where this transport serves one: how a person signs in, and the desk that announces approvals. */
  page?: {
    signIn: SignIn;
    /** Made as the call machinery starts (it may load its own module then). */
    desk(web: ApprovalWeb, logger: Logger): Promisable<ApprovalDesk & { close?(): Promise<void> }>;
  };
  /** Why no person can approve here, told with a held write when neither the page nor a client's dialog can. */
  unavailable: string;
  /** Logged at start when no channel at all lets a person approve. */
  nobody: string;
  /** Other warnings about this set-up, logged at start. */
  warnings: readonly { message: string; fields?: Record<string, unknown> }[];
}

/** The answer where the operator's channels leave a person no way to approve, whatever the transport. */
export function channelsLeaveNoWay(channels: readonly string[]): string {
  return `this server's --approval-channels (${channels.join(',') || 'none'}) leave no way for a person to approve in this client.`;
}

/** The start-up warning where no channel lets a person approve, whatever the transport. */
export const NOBODY_WITH_THESE_CHANNELS = 'no one can approve held writes with these --approval-channels';
