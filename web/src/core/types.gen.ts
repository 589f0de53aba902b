// Generated from the Go types by `COFFER_WRITE_DOCS=1 go test ./internal/bridge
// -run TestTSTypesAreCurrent` (internal/bridge/tsgen_test.go); do not edit.
// What each member means: the Go types' comments (client/view, internal/bridge,
// client). Every bridge function resolves to a JSON string of its
// BridgeResults type (docs/web.md).

// The kind of a bridge error (Error.kind): client.KindOf.
export type ErrorKind = 'unverified' | 'conflict' | 'account-disabled' | 'transfer-ownership' | 'sso-required' | 'sso-ticket' | 'signup-refused' | 'key-mismatch' | 'server-restored' | 'tampered' | 'invitation-locked' | 'already-invited' | 'wrong-password' | 'second-factor-required' | 'two-factor-required' | 'security-key-cloned' | 'wrong-second-factor' | 'unauthorized' | 'locked' | 'weak-password' | 'bad-email' | 'permission-scope' | 'not-found' | 'forbidden' | 'ambiguous' | 'exists' | 'not-empty' | 'wrong-code' | 'bad-totp' | 'offline' | 'error';

// Status.state.
export type StatusState = 'none' | 'locked' | 'unlocked' | 'verify' | 'second-factor';

// The client core's rules (also rules() at run time).
export const RULES: Rules = {
  "master_password_min": 10,
  "invite_batch_max": 50,
  "item_name_max": 500,
  "org_name_max": 200,
  "email_max": 254,
  "password_length_min": 8,
  "password_length_max": 256,
  "passphrase_words_min": 3,
  "passphrase_words_max": 20,
  "display_name_max": 60,
  "identity_field_max": 500,
  "ssh_key_max": 16384
};

// Static words of the Go side (tsTexts), here so that they cost the
// first load nothing: no call, no copy in core.wasm.
export const TEXTS = {
  "export_account": "An account that may export My Vault only has every organisation vault left out of its exports; My Vault always stays exportable.",
  "export_group": "When a group allows export of My Vault only, its members export no vault of this organisation; My Vault, and their other organisations' vaults, stay exportable.",
  "export_limits": "The policy stops Coffer's own apps from exporting, and the audit log shows every export they make. It does not stop reading: someone who can read an item can still copy it — by hand, with a screenshot, or with a modified client. To limit what someone can read, change their vault access."
} as const;

// The item types as this build's client core lists them, one a line
// (itemTypes() at run time, which the app uses; the tests' fake core
// answers with these).
export const ITEM_TYPES: ItemType[] = [
  {"name":"login","label":"Login","plural":"Logins","icon":"key-round","member":"login","fields":[{"name":"username","label":"Username","kind":"text","secret":false,"multiline":false},{"name":"password","label":"Password","kind":"secret","secret":true,"multiline":false,"generate":true},{"name":"urls","label":"URL","kind":"url","secret":false,"multiline":false,"repeated":true},{"name":"totp","label":"One-time code","kind":"totp","secret":true,"multiline":false,"hint":"otpauth:// URI or base32 secret"}]},
  {"name":"note","label":"Secure note","plural":"Notes","icon":"sticky-note","fields":[]},
  {"name":"secret","label":"API secret","plural":"API secrets","icon":"terminal","member":"secret","fields":[],"free_keys":true},
  {"name":"card","label":"Card","plural":"Cards","icon":"credit-card","member":"card","fields":[{"name":"holder","label":"Card holder","kind":"text","secret":false,"multiline":false},{"name":"number","label":"Card number","kind":"secret","secret":true,"multiline":false},{"name":"expiry","label":"Expiry","kind":"text","secret":false,"multiline":false,"hint":"MM/YY"},{"name":"cvv","label":"CVV","kind":"secret","secret":true,"multiline":false}]},
  {"name":"identity","label":"Identity","plural":"Identities","icon":"id-card","member":"identity","fields":[{"name":"title","label":"Title","kind":"text","secret":false,"multiline":false,"hint":"Mr, Ms, Dr","max":500},{"name":"first_name","label":"First name","kind":"text","secret":false,"multiline":false,"max":500},{"name":"middle_name","label":"Middle name","kind":"text","secret":false,"multiline":false,"max":500},{"name":"last_name","label":"Last name","kind":"text","secret":false,"multiline":false,"max":500},{"name":"company","label":"Company","kind":"text","secret":false,"multiline":false,"max":500},{"name":"email","label":"E-mail","kind":"text","secret":false,"multiline":false,"max":500},{"name":"phone","label":"Phone","kind":"text","secret":false,"multiline":false,"max":500},{"name":"address1","label":"Address","kind":"text","secret":false,"multiline":false,"max":500},{"name":"address2","label":"Address line 2","kind":"text","secret":false,"multiline":false,"max":500},{"name":"address3","label":"Address line 3","kind":"text","secret":false,"multiline":false,"max":500},{"name":"city","label":"City","kind":"text","secret":false,"multiline":false,"max":500},{"name":"state","label":"State or province","kind":"text","secret":false,"multiline":false,"max":500},{"name":"postal_code","label":"Postal code","kind":"text","secret":false,"multiline":false,"max":500},{"name":"country","label":"Country","kind":"text","secret":false,"multiline":false,"max":500},{"name":"ssn","label":"Social security number","kind":"secret","secret":true,"multiline":false,"max":500},{"name":"passport_number","label":"Passport number","kind":"secret","secret":true,"multiline":false,"max":500},{"name":"license_number","label":"Licence number","kind":"secret","secret":true,"multiline":false,"max":500},{"name":"username","label":"Username","kind":"text","secret":false,"multiline":false,"max":500}]},
  {"name":"ssh-key","label":"SSH key","plural":"SSH keys","icon":"key-square","member":"ssh_key","fields":[{"name":"private_key","label":"Private key","kind":"multiline","secret":true,"multiline":true,"hint":"-----BEGIN OPENSSH PRIVATE KEY-----","max":16384},{"name":"public_key","label":"Public key","kind":"text","secret":false,"multiline":false,"hint":"ssh-ed25519 AAAA… comment","max":16384},{"name":"fingerprint","label":"Fingerprint","kind":"text","secret":false,"multiline":false,"read_only":true}]},
  {"name":"file","label":"File","plural":"Files","icon":"paperclip","fields":[],"file":true},
];

// Accepted is view.Accepted.
export interface Accepted {
  org: string;
  name: string;
  vaults: number;
  recovery_turned_off: boolean;
  message: string;
}

// Access is client.Access.
export interface Access {
  kind: string;
  id: string;
  name: string;
  permission: string;
}

// Account is bridge.Account.
export interface Account {
  email: string;
  name: string;
  fingerprint: string;
  kdf: KDF;
}

// Addresses is view.Addresses.
export interface Addresses {
  emails: string[];
  bad: string[];
  max: number;
  problem?: string;
}

// AdminGroup is view.AdminGroup.
export interface AdminGroup {
  group_id: string;
  org_id: string;
  private: boolean;
  members: number;
  member: boolean;
  manager: boolean;
}

// AdminOrg is view.AdminOrg.
export interface AdminOrg {
  org_id: string;
  role: string;
  members: number;
  owner_email: string;
  can_unbind: boolean;
  unbind_refusal?: string;
}

// AdminUser is view.AdminUser.
export interface AdminUser {
  user_id: string;
  email: string;
  name: string;
  created_at: string;
  state: string;
  disabled_at?: string;
  admin: boolean;
  orgs: number;
  me?: boolean;
  can_disable: boolean;
  can_enable: boolean;
  two_factor: boolean;
  can_reset_two_factor: boolean;
}

// AdminUserDetail is view.AdminUserDetail.
export interface AdminUserDetail extends AdminUser {
  organisations: AdminOrg[];
  groups: AdminGroup[];
  sealed: string;
  export_my_vault_only: boolean;
  may_export: string;
}

// Attachment is client.Attachment.
export interface Attachment {
  id: string;
  name: string;
  size: number;
  sha256: string | null;
  key: string | null;
}

// AuditEntry is view.AuditEntry.
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  target: AuditTarget;
  source: string;
  signed: boolean;
  users?: Record<string, string>;
  what: string;
}

// AuditLog is bridge.AuditLog.
export interface AuditLog {
  entries: AuditEntry[];
  actions: string[];
}

// AuditTarget is api.AuditTarget.
export interface AuditTarget {
  org?: string;
  batch?: string;
  invitations?: string[];
  invitation?: string;
  user?: string;
  users?: string[];
  group?: string;
  vault?: string;
  from_vault?: string;
  item?: string;
  revision?: number;
  grantee_kind?: string;
  grantee?: string;
  permission?: string;
  force?: boolean;
  epoch?: number;
  vaults?: string[];
  format?: string;
  policy?: string;
}

// CSVField is view.CSVField.
export interface CSVField {
  name: string;
  label: string;
}

// Card is client.Card.
export interface Card {
  holder?: string;
  number?: string;
  expiry?: string;
  cvv?: string;
}

// Change is view.Change.
export interface Change {
  field: string;
  label: string;
  kind: string;
  old: string;
  new: string;
  secret: boolean;
  masked?: boolean;
  restorable: boolean;
}

// Content is client.Content.
export interface Content {
  name: string;
  notes?: string;
  login?: LoginFields;
  secret?: Record<string, string>;
  card?: Card;
  identity?: Identity;
  ssh_key?: SSHKey;
  fields?: CustomField[];
  tags?: string[];
  favorite?: boolean;
  files?: Attachment[];
  change?: RevisionChange;
  [more: string]: unknown; // members of newer clients, kept as they are
}

// Created is bridge.Created.
export interface Created {
  id: string;
  vault_id?: string;
  label?: string;
}

// CustomField is client.Field.
export interface CustomField {
  name: string;
  value: string;
  kind?: string;
}

// Detected is formats.Detected.
export interface Detected {
  format: string;
  label?: string;
  password: boolean;
  columns?: string[];
  needs_mapping: boolean;
}

// Device is view.Device.
export interface Device {
  id: string;
  name: string;
  current: boolean;
  created_at: string;
  last_used_at: string;
  client_addr: string;
  expires_at: string;
}

// Done is bridge.Done.
export interface Done {
  done: number;
}

// Email is bridge.Email.
export interface Email {
  email: string;
}

// ExchangeSummary is exchange.Summary.
export interface ExchangeSummary {
  vaults: number;
  items: number;
  files: number;
  by_type: Record<string, number>;
}

// ExportPlan is view.ExportPlan.
export interface ExportPlan {
  formats: FormatInfo[];
  vaults: ExportVault[];
  note?: string;
  clear_warning: string;
  file_stem: string;
}

// ExportVault is view.ExportVault.
export interface ExportVault {
  id: string;
  label: string;
  items: number;
  allowed: boolean;
  held_by?: string;
}

// ExposedItem is client.ExposedItem.
export interface ExposedItem {
  id: string;
  name: string;
  type: string;
  vault_id: string;
  vault: string;
  revision: number;
  changed: string;
  updated: string;
  trashed: boolean;
  changed_since: boolean;
  moved_to?: string;
}

// ExposedVault is view.ExposedVault.
export interface ExposedVault {
  id: string;
  label: string;
  hidden: number;
}

// Exposure is view.Exposure.
export interface Exposure {
  how: string;
  how_text: string;
  at: string;
  vaults: ExposedVault[];
  items: ExposedItem[];
  hidden: number;
}

// ExposureReport is view.ExposureReport.
export interface ExposureReport {
  org: string;
  email: string;
  notice: string;
  hidden_note: string;
  records: Exposure[];
}

// Field is view.Field.
export interface Field {
  name: string;
  label: string;
  value: string;
  kind: string;
  secret: boolean;
  copyable: boolean;
  custom?: boolean;
  masked?: boolean;
}

// File is view.File.
export interface File {
  id: string;
  name: string;
  size: number;
  sha256: string;
}

// FormatInfo is exchange.FormatInfo.
export interface FormatInfo {
  name: string;
  label: string;
  description: string;
  encrypted: boolean;
  extension?: string;
}

// Found is bridge.Found.
export interface Found {
  version: number;
  ranges: number[];
  count: number;
}

// Generated is bridge.Generated.
export interface Generated {
  value: string;
  bits?: number;
}

// Group is view.Group.
export interface Group {
  id: string;
  name: string;
  private: boolean;
  default_permission: string;
  members: string[];
  vault_id?: string;
  manager: string;
  manages: boolean;
  can_add_members: boolean;
  can_remove_members: boolean;
  can_grant: boolean;
  export_my_vault_only: boolean;
  can_set_export_policy: boolean;
  opens?: Opens[];
}

// Identity is client.Identity.
export interface Identity {
  title?: string;
  first_name?: string;
  middle_name?: string;
  last_name?: string;
  company?: string;
  email?: string;
  phone?: string;
  address1?: string;
  address2?: string;
  address3?: string;
  city?: string;
  state?: string;
  postal_code?: string;
  country?: string;
  ssn?: string;
  passport_number?: string;
  license_number?: string;
  username?: string;
}

// ImportPlan is view.ImportPlan.
export interface ImportPlan {
  formats: FormatInfo[];
  vaults: VaultRef[];
  fields: CSVField[];
}

// ImportReport is view.ImportReport.
export interface ImportReport extends ImportResult {
  vault: VaultRef;
  counts: TypeCount[];
}

// ImportResult is exchange.ImportResult.
export interface ImportResult extends ExchangeSummary {
  dry_run: boolean;
  skipped: Skipped[];
  duplicates: number;
}

// Invitation is client.Invitation.
export interface Invitation {
  id: string;
  org_id: string;
  state: string;
  owner: string;
  locked?: boolean;
}

// Invited is bridge.Invited.
export interface Invited {
  code: string;
  mail: string;
  reissued: string[];
}

// Item is view.Item.
export interface Item {
  id: string;
  type: string;
  type_label: string;
  name: string;
  vault_id: string;
  vault?: string;
  org_id?: string;
  org?: string;
  revision: number;
  trashed: boolean;
  updated: string;
  username?: string;
  urls?: string[];
  tags?: string[];
  favorite?: boolean;
  fields?: Record<string, string>;
  values: Field[];
  attachments?: File[];
  totp?: boolean;
  permission: string;
  can_edit: boolean;
  can_trash: boolean;
  can_restore: boolean;
  can_move: boolean;
  move_targets: VaultRef[];
  can_share: boolean;
  share_groups: ShareGroup[];
  access?: Opener[];
}

// ItemType is view.ItemType.
export interface ItemType {
  name: string;
  label: string;
  plural: string;
  icon: string;
  member?: string;
  fields: TypeField[];
  free_keys?: boolean;
  file?: boolean;
}

// ItemWithContent is bridge.ItemWithContent.
export interface ItemWithContent extends Item {
  content: Content;
}

// JoinState is client.JoinState.
export interface JoinState {
  state: string;
  org_id?: string;
  invitation_id?: string;
  org_name?: string;
  owner?: string;
  text: string;
}

// Joined is bridge.Joined.
export interface Joined {
  org_id: string;
  org_name: string;
  owner_email: string;
  owner_name: string;
}

// KDF is bridge.KDF.
export interface KDF {
  time: number;
  memory_kib: number;
  threads: number;
}

// KindInfo is client.KindInfo.
export interface KindInfo {
  kind: string;
  means: string;
}

// LiveChange is client.Change.
export interface LiveChange {
  seq: number;
  kind: string;
  org_id?: string;
  vault_id?: string;
  item_id?: string;
  vault?: string;
  item?: string;
  author?: string;
  fields?: string[];
  text: string;
}

// LoginFields is client.LoginFields.
export interface LoginFields {
  username?: string;
  password?: string;
  urls?: string[];
  totp?: string;
}

// Member is view.Member.
export interface Member {
  email: string;
  name?: string;
  user_id?: string;
  state: string;
  fingerprint?: string;
  key_mismatch?: boolean;
  locked?: boolean;
  locked_at?: string;
  me?: boolean;
  offered_ownership?: boolean;
  can_confirm: boolean;
  can_cancel: boolean;
  can_reissue: boolean;
  can_remove: boolean;
  can_compare: boolean;
  two_factor?: boolean;
  two_factor_label?: string;
  confirm_refusal?: string;
  opens?: Opens[];
}

// Millis is bridge.Millis.
export interface Millis {
  ms: number;
}

// Moved is bridge.Moved.
export interface Moved {
  id: string;
  vault: string;
}

// MyExportPolicy is view.MyExportPolicy.
export interface MyExportPolicy {
  my_vault_only: boolean;
  restricted_orgs: string[];
  may_export: string;
  note?: string;
}

// Notice is client.Notice.
export interface Notice {
  id: string;
  kind: string;
  org_id: string;
  org?: string;
  approver: string;
  approved_at: string;
  at: string;
  from: string;
  seen: boolean;
  seen_at?: string;
  title: string;
  text: string;
  advice: string;
}

// OK is bridge.OK.
export interface OK {
  ok: boolean;
}

// Opener is view.Opener.
export interface Opener {
  email: string;
  permission: string;
  through: string[];
  me?: boolean;
}

// Opens is view.Opens.
export interface Opens {
  vault_id: string;
  vault: string;
  permission: string;
  through?: string;
}

// Org is view.Org.
export interface Org {
  id: string;
  name: string;
  role: string;
  owner_email: string;
  can_invite: boolean;
  can_manage_members: boolean;
  can_manage_groups: boolean;
  can_create_private_group: boolean;
  can_create_vault: boolean;
  can_grant: boolean;
  can_rename: boolean;
  can_delete: boolean;
  can_audit: boolean;
  can_leave: boolean;
  leave_refusal?: string;
  offered_to?: string;
  offered_at?: string;
  offered_to_you?: boolean;
  can_transfer?: boolean;
  can_accept_ownership?: boolean;
  transfer_note?: string;
  require_two_factor: boolean;
  can_set_two_factor_policy: boolean;
  two_factor_note?: string;
}

// OrgDetail is view.OrgDetail.
export interface OrgDetail {
  org: Org;
  members: Member[];
  groups: Group[];
  vaults: Vault[];
  roster: string[];
  former?: string[];
}

// PasswordCheck is view.PasswordCheck.
export interface PasswordCheck {
  ok: boolean;
  min: number;
  problem?: string;
}

// Recovery is bridge.Recovery.
export interface Recovery {
  orgs: RecoveryOrg[];
  requests: RecoveryRequestInfo[];
}

// RecoveryOrg is bridge.RecoveryOrg.
export interface RecoveryOrg {
  id: string;
  name: string;
  owner: string;
  enrolled: boolean;
}

// RecoveryRequestInfo is api.RecoveryRequestInfo.
export interface RecoveryRequestInfo {
  id: string;
  created_at: string;
  expires_at: string;
  granted: boolean;
  grant_org?: string;
  granted_by?: string;
  granted_at?: string;
}

// RestoreAccepted is bridge.RestoreAccepted.
export interface RestoreAccepted {
  accepted: boolean;
  text: string;
  given_back: RestoredItem[];
  not_given_back: RestoredItem[];
}

// RestoredItem is bridge.RestoredItem.
export interface RestoredItem {
  id: string;
  name: string;
  vault: string;
  reason?: string;
  text: string;
}

// RevisionChange is client.RevisionChange.
export interface RevisionChange {
  op: string;
  revision?: number;
  field?: string;
  from_vault?: string;
}

// Revoked is bridge.Revoked.
export interface Revoked {
  revoked_sessions: number;
}

// Rotation is view.Rotation.
export interface Rotation {
  kind: string;
  object_id: string;
  what: string;
  epoch: number;
  reason: string;
  why: string;
  since: string;
}

// Rotations is view.Rotations.
export interface Rotations {
  pending: Rotation[];
  note: string;
}

// Rows is bridge.Rows.
export interface Rows {
  version: number;
  vaults: string[];
  types: string[];
  id: string[];
  name: string[];
  username: string[];
  vault: number[];
  type: number[];
  favorite: number[];
}

// Rules is client.Rules.
export interface Rules {
  master_password_min: number;
  invite_batch_max: number;
  item_name_max: number;
  org_name_max: number;
  email_max: number;
  password_length_min: number;
  password_length_max: number;
  passphrase_words_min: number;
  passphrase_words_max: number;
  display_name_max: number;
  identity_field_max: number;
  ssh_key_max: number;
}

// RulesInfo is bridge.RulesInfo.
export interface RulesInfo extends Rules {
  error_kinds: KindInfo[];
}

// SSHKey is client.SSHKey.
export interface SSHKey {
  private_key?: string;
  public_key?: string;
  fingerprint?: string;
}

// SSHKeyCheck is view.SSHKeyCheck.
export interface SSHKeyCheck {
  ok: boolean;
  problem?: string;
  public_key?: string;
  fingerprint?: string;
  comment?: string;
  type?: string;
  encrypted?: boolean;
}

// SSOInfo is api.SSOInfo.
export interface SSOInfo {
  enabled: boolean;
  name?: string;
  domains?: string[];
}

// SSOStarted is bridge.SSOStarted.
export interface SSOStarted {
  url: string;
}

// SSOTicketInfo is api.SSOTicketInfo.
export interface SSOTicketInfo {
  email: string;
  name?: string;
  provider: string;
  account: boolean;
  signup_allowed: boolean;
  signup_refused?: string;
}

// Saved is bridge.Saved.
export interface Saved {
  id?: string;
  revision: number;
}

// SecondFactorChallenge is api.SecondFactorChallenge.
export interface SecondFactorChallenge {
  methods: string[];
  webauthn?: unknown;
}

// SecurityKey is api.SecurityKey.
export interface SecurityKey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string;
}

// SecurityKeyAdded is api.SecurityKeyAdded.
export interface SecurityKeyAdded {
  key: SecurityKey;
  recovery_codes?: string[];
}

// SecurityKeyBegin is api.SecurityKeyBegin.
export interface SecurityKeyBegin {
  options: unknown | null;
}

// ShareGroup is view.ShareGroup.
export interface ShareGroup {
  id: string;
  name: string;
  org_id: string;
  org: string;
  vault_id: string;
  can_set_permission: boolean;
}

// Shown is bridge.Shown.
export interface Shown {
  text: string;
}

// Skipped is exchange.Skipped.
export interface Skipped {
  entry: string;
  reason: string;
}

// Status is bridge.Status.
export interface Status {
  state: string;
  email?: string;
  fingerprint?: string;
  checking?: string;
  busy?: string;
  instance_admin?: boolean;
}

// Summary is view.Summary.
export interface Summary {
  id: string;
  type: string;
  name: string;
  vault_id: string;
  vault: string;
  revision: number;
  trashed: boolean;
  updated: string;
  username?: string;
  urls?: string[];
  tags?: string[];
  favorite?: boolean;
}

// TOTPCode is bridge.TOTPCode.
export interface TOTPCode {
  code: string;
  seconds_left: number;
}

// TwoFactorEnabled is api.TwoFactorEnabled.
export interface TwoFactorEnabled {
  recovery_codes: string[];
}

// TwoFactorStart is api.TwoFactorStart.
export interface TwoFactorStart {
  secret: string;
  uri: string;
  qr?: string[];
}

// TwoFactorStatus is api.TwoFactorStatus.
export interface TwoFactorStatus {
  enabled: boolean;
  pending: boolean;
  recovery_codes_left: number;
  security_keys: SecurityKey[];
}

// TypeCount is view.TypeCount.
export interface TypeCount {
  type: string;
  label: string;
  count: number;
}

// TypeField is view.TypeField.
export interface TypeField {
  name: string;
  label: string;
  kind: string;
  secret: boolean;
  multiline: boolean;
  read_only?: boolean;
  repeated?: boolean;
  generate?: boolean;
  hint?: string;
  max?: number;
}

// Unlocked is bridge.Unlocked.
export interface Unlocked {
  state?: string;
  user_id?: string;
  email: string;
  fingerprint?: string;
  notices: Notice[];
  instance_admin?: boolean;
  second_factor?: SecondFactorChallenge;
  restored?: string;
}

// Vault is view.Vault.
export interface Vault {
  id: string;
  label: string;
  name: string;
  kind: string;
  org_id?: string;
  org?: string;
  permission: string;
  can_create: boolean;
  can_manage: boolean;
  access?: Access[];
  openers?: Opener[];
}

// VaultRef is view.VaultRef.
export interface VaultRef {
  id: string;
  label: string;
}

// Version is view.Version.
export interface Version {
  revision: number;
  author: string;
  time: string;
  what?: string;
  change?: RevisionChange;
  from_vault?: string;
  values: Field[];
  changes: Change[];
  can_roll_back: boolean;
}

// WatchError is bridge.WatchError.
export interface WatchError {
  kind: string;
  text: string;
  error: string;
}

// What each bridge function resolves to (as JSON). attach resolves to
// Created, download to a Uint8Array; watch's callback gets WatchEvent JSON.
export interface BridgeResults {
  status: Status;
  signup: Unlocked;
  verifySignup: OK;
  login: Unlocked;
  loginSecurityKey: Unlocked;
  unlock: Unlocked;
  ssoInfo: SSOInfo;
  ssoStart: SSOStarted;
  ssoTicket: SSOTicketInfo;
  ssoError: Shown;
  ssoLogin: Unlocked;
  ssoSignup: Unlocked;
  lock: Status;
  logout: Status;
  sync: OK;
  acceptRestore: RestoreAccepted;
  list: Summary[];
  rows: Rows;
  find: Found;
  trashed: Summary[];
  get: ItemWithContent;
  create: Created;
  update: Saved;
  trash: OK;
  restore: OK;
  purge: OK;
  history: Version[];
  rollback: Saved;
  restoreField: Saved;
  totp: TOTPCode;
  generate: Generated;
  kdfTime: Millis;
  account: Account;
  password: Revoked;
  kdf: Account;
  exportPolicy: MyExportPolicy;
  devices: Device[];
  signOutOthers: Revoked;
  endSession: OK;
  vaults: Vault[];
  recovery: Recovery;
  quarantined: string[];
  enrol: OK;
  leave: OK;
  notices: Notice[];
  ackNotice: OK;
  rules: RulesInfo;
  checkAddresses: Addresses;
  checkEmail: Email;
  checkPassword: PasswordCheck;
  itemTypes: ItemType[];
  checkSSHKey: SSHKeyCheck;
  display: Shown;
  orgs: Org[];
  org: OrgDetail;
  createOrg: Org;
  invite: Invited;
  reissue: Invited;
  requestVerification: OK;
  verifyEmail: OK;
  invitations: Invitation[];
  joinStatus: JoinState;
  join: Joined;
  members: Member[];
  confirm: Done;
  cancelInvites: Done;
  removeMember: OK;
  groups: Group[];
  createGroup: Created;
  addGroupMembers: Done;
  removeGroupMember: OK;
  setGroupExportPolicy: OK;
  setTwoFactorPolicy: OK;
  createVault: Created;
  access: Access[];
  grant: OK;
  revoke: OK;
  share: Moved;
  move: Moved;
  leaveOrg: OK;
  deleteOrg: OK;
  rotations: Rotations;
  audit: AuditLog;
  exposure: ExposureReport;
  offerOwnership: OK;
  withdrawOwnership: OK;
  acceptOwnership: Accepted;
  deleteAccount: Status;
  twoFactorStatus: TwoFactorStatus;
  twoFactorStart: TwoFactorStart;
  twoFactorConfirm: TwoFactorEnabled;
  twoFactorDisable: OK;
  twoFactorRecoveryCodes: TwoFactorEnabled;
  securityKeyBegin: SecurityKeyBegin;
  securityKeyFinish: SecurityKeyAdded;
  securityKeyRemove: OK;
  adminSearch: AdminUser[];
  adminUser: AdminUserDetail;
  adminUnbind: OK;
  adminDisable: Revoked;
  adminResetTwoFactor: OK;
  adminEnable: OK;
  adminSetExportPolicy: OK;
  exportPlan: ExportPlan;
  importPlan: ImportPlan;
}

export type BridgeFunction = keyof BridgeResults;

export type WatchEvent = LiveChange | WatchError | { kind: 'checked' };
