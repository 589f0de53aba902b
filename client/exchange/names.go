package exchange

// The formats' names, as `coffer export --format` and `coffer import
// --format` take them (docs/protocol.md §19). Their readers and writers
// are in exchange/formats, apart from Coffer JSON's: the web app's client
// core carries only that, and loads the others when an import or an
// export starts.
const (
	FormatEncryptedJSON = "encrypted-json" // Coffer JSON under a password (§19.3)
	FormatKDBX          = "kdbx"           // KeePass 2 database, KDBX 4 written, 3.1 and 4 read (§19.6)
	FormatKeePassXML    = "keepass-xml"    // KeePass 2 XML (§19.6)
	FormatBitwardenJSON = "bitwarden-json" // Bitwarden's unencrypted JSON export (§19.5)
)

// CSV formats (docs/protocol.md §19.5): the exports of browsers, password
// managers and spreadsheets, each known by its header row. Every row is
// one entry; a login when it has a URL, a user name or a password, a
// note otherwise. Folders and groups become a tag holding their path.
const (
	FormatCSV          = "csv"           // Coffer's own CSV export, or a generic CSV with --map
	FormatChromeCSV    = "chrome-csv"    // name,url,username,password,note
	FormatFirefoxCSV   = "firefox-csv"   // url,username,password,httpRealm,…
	FormatSafariCSV    = "safari-csv"    // Title,URL,Username,Password,Notes,OTPAuth
	FormatBitwardenCSV = "bitwarden-csv" // folder,favorite,type,name,notes,fields,…
	Format1PasswordCSV = "1password-csv" // Title,Url,Username,Password,OTPAuth,…
	FormatKeePassXCCSV = "keepassxc-csv" // Group,Title,Username,Password,URL,Notes,TOTP,…
)

// CSVFormats are the CSV formats an import takes: the generic one, then
// the others as a header is matched against them, the most specific first.
var CSVFormats = []string{FormatCSV, FormatBitwardenCSV, Format1PasswordCSV, FormatKeePassXCCSV, FormatSafariCSV, FormatFirefoxCSV, FormatChromeCSV}

// ExportFormats are what an export can be written as, the safest first.
var ExportFormats = []string{FormatEncryptedJSON, FormatJSON, FormatKDBX, FormatCSV}

// ImportFormats are what an import reads (Open detects them).
var ImportFormats = append([]string{FormatJSON, FormatEncryptedJSON, FormatKDBX, FormatKeePassXML, FormatBitwardenJSON}, CSVFormats...)

// Encrypted says whether a format keeps its content under a password of
// its own (the rest are clear text: whoever reads the file reads it all).
func Encrypted(format string) bool {
	return format == FormatEncryptedJSON || format == FormatKDBX
}

// CarriesFiles says whether a format holds attachments' bytes.
func CarriesFiles(format string) bool { return format != FormatCSV }

// FormatInfo describes a format for a person choosing it (the web app's
// Tools → Export and Tools → Import, `coffer export --help`).
type FormatInfo struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	Description string `json:"description"`
	// Encrypted: under a password of the file's own.
	Encrypted bool `json:"encrypted"`
	// Extension names a file written in it (without the dot).
	Extension string `json:"extension,omitempty"`
}

// formatInfo: every format, in the order a person is offered them.
var formatInfo = []FormatInfo{
	{Name: FormatEncryptedJSON, Label: "Coffer, password-protected", Description: "Everything, attachments included, under a password of its own (Argon2id, XChaCha20-Poly1305): for a backup kept outside Coffer.", Encrypted: true, Extension: "coffer"},
	{Name: FormatJSON, Label: "Coffer JSON", Description: "Everything, attachments included, not encrypted: Coffer reads it back without loss.", Extension: "json"},
	{Name: FormatKDBX, Label: "KeePass (KDBX 4)", Description: "A KeePass database under a password of its own, one group per vault, attachments and TOTP as KeePassXC keeps them.", Encrypted: true, Extension: "kdbx"},
	{Name: FormatCSV, Label: "CSV", Description: "The columns KeePassXC and browsers read (group, title, user name, password, URL, notes, TOTP); no attachments, not encrypted.", Extension: "csv"},
	{Name: FormatKeePassXML, Label: "KeePass 2 XML", Description: "KeePass's \"KeePass XML (2.x)\" export."},
	{Name: FormatBitwardenJSON, Label: "Bitwarden JSON", Description: "Bitwarden's JSON export, of a vault or an organisation (not the encrypted one)."},
	{Name: FormatBitwardenCSV, Label: "Bitwarden CSV", Description: "Bitwarden's CSV export."},
	{Name: Format1PasswordCSV, Label: "1Password CSV", Description: "1Password's CSV export."},
	{Name: FormatKeePassXCCSV, Label: "KeePassXC CSV", Description: "KeePassXC's CSV export."},
	{Name: FormatChromeCSV, Label: "Chrome passwords (CSV)", Description: "Chrome's and Edge's exported passwords."},
	{Name: FormatFirefoxCSV, Label: "Firefox logins (CSV)", Description: "Firefox's exported logins."},
	{Name: FormatSafariCSV, Label: "Safari passwords (CSV)", Description: "Safari's and Apple Passwords' exported passwords."},
}

// Formats describes names, in the order given.
func Formats(names []string) []FormatInfo {
	out := make([]FormatInfo, 0, len(names))
	for _, n := range names {
		for _, f := range formatInfo {
			if f.Name == n {
				out = append(out, f)
			}
		}
	}
	return out
}

// ClearTextWarning is said before a clear-text export is written.
const ClearTextWarning = "This export is not encrypted: whoever can read the file reads every password in it. Keep it safe and delete it when done — or choose a password-protected format."

// CSVFields are what a generic CSV's columns map to (`coffer import
// --format csv --map field=column,…`).
var CSVFields = []string{"name", "url", "username", "password", "notes", "totp", "folder", "favorite", "tags"}
