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

// ExportFormats are what an export can be written as.
var ExportFormats = []string{FormatJSON, FormatEncryptedJSON, FormatCSV, FormatKDBX}

// ImportFormats are what an import reads (Open detects them).
var ImportFormats = append([]string{FormatJSON, FormatEncryptedJSON, FormatKDBX, FormatKeePassXML, FormatBitwardenJSON}, CSVFormats...)

// Encrypted says whether a format keeps its content under a password of
// its own (the rest are clear text: whoever reads the file reads it all).
func Encrypted(format string) bool {
	return format == FormatEncryptedJSON || format == FormatKDBX
}

// CarriesFiles says whether a format holds attachments' bytes.
func CarriesFiles(format string) bool { return format != FormatCSV }
