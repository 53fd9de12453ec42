// Where a Pinterest call's currency is read: the ad account it names (`ad_account_id`) reports it, with its name.
import { type AccountCurrency, answerField } from '../money.js';

export const PINTEREST_CURRENCY: AccountCurrency = {
  source: (args) => {
    const account = args.ad_account_id;
    return typeof account === 'string' ? { tool: 'ad_accounts_get', args: { ad_account_id: account }, pick: answerField('currency'), name: answerField('name') } : undefined;
  },
};
