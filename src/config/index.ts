// The configuration's public face: the settings table and Config type, loadConfig, helpText, and each API's configuration.
export { type ApiConfigs, type ApprovalChannel, type ApprovalMode, type Config, type Mode, SERVER_SETTINGS, SETTINGS, type Transport, settingName } from './settings.js';
export { type Approver, type ClientIdDocuments, type ConfirmWrites } from './values.js';
export { ConfigError, loadConfig } from './load.js';
export { helpText } from './help.js';
export { CONFIGURED_APIS, DEMO_API, SIGN_IN_API, SIGN_IN_LABEL, apiConfig, apiConnection, everyApiOn, offUntilSet, withDemoFake } from './apis.js';
