package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

// csvColumns are the fields an entry has, each a column of a CSV file.
const (
	colName     = "name"
	colURL      = "url"
	colUsername = "username"
	colPassword = "password"
	colNotes    = "notes"
	colTOTP     = "totp"
	colFolder   = "folder"
	colFavorite = "favorite"
	colTags     = "tags"
	colType     = "type"
	colFields   = "fields"
)

// csvProfiles name each format's columns (lower case) for each field,
// and the header columns that tell the format apart.
var csvProfiles = map[string]struct {
	columns map[string]string // header column → field
	marks   []string          // every one in the header: it is this format
}{
	exchange.FormatKeePassXCCSV: {columns: map[string]string{"group": colFolder, "title": colName, "username": colUsername, "password": colPassword, "url": colURL, "notes": colNotes, "totp": colTOTP},
		marks: []string{"group", "title", "username", "password", "url", "notes"}},
	exchange.FormatBitwardenCSV: {columns: map[string]string{"folder": colFolder, "favorite": colFavorite, "type": colType, "name": colName, "notes": colNotes, "fields": colFields,
		"login_uri": colURL, "login_username": colUsername, "login_password": colPassword, "login_totp": colTOTP},
		marks: []string{"folder", "type", "name", "login_uri", "login_username", "login_password"}},
	exchange.Format1PasswordCSV: {columns: map[string]string{"title": colName, "url": colURL, "username": colUsername, "password": colPassword, "otpauth": colTOTP,
		"favorite": colFavorite, "tags": colTags, "notes": colNotes},
		marks: []string{"title", "url", "username", "password", "otpauth", "favorite", "archived"}},
	exchange.FormatSafariCSV: {columns: map[string]string{"title": colName, "url": colURL, "username": colUsername, "password": colPassword, "notes": colNotes, "otpauth": colTOTP},
		marks: []string{"title", "url", "username", "password", "notes", "otpauth"}},
	exchange.FormatFirefoxCSV: {columns: map[string]string{"url": colURL, "username": colUsername, "password": colPassword},
		marks: []string{"url", "username", "password", "httprealm", "formactionorigin"}},
	exchange.FormatChromeCSV: {columns: map[string]string{"name": colName, "url": colURL, "username": colUsername, "password": colPassword, "note": colNotes},
		marks: []string{"name", "url", "username", "password"}},
}

// csvDetectOrder: the most specific headers first.
var csvDetectOrder = exchange.CSVFormats[1:]

// MaxCSVRecordBytes bounds one row (a hostile file's 1 GB line is an
// error, not a gigabyte held). A variable: tests lower it.
var MaxCSVRecordBytes int64 = 8 << 20

// MaxCSVFields bounds the columns of one row: the csv package holds a
// string and two indexes per field, so an 8 MB row of commas would cost
// over a gigabyte of allocations before Next could refuse it. A
// variable: tests lower it.
var MaxCSVFields = 1000

var errTooManyFields = errors.New("too many fields")

// fieldCounter passes a CSV file through, failing once a row has more
// than MaxCSVFields fields: it counts the commas outside quotes (each
// '"' toggles: an opening, a closing, and a doubled one inside a quoted
// field both keep the state right) and starts again at each line break
// outside quotes.
type fieldCounter struct {
	r      io.Reader
	quoted bool
	fields int
	err    error // once a row is refused, the rest of the file is too
}

func (c *fieldCounter) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		switch {
		case b == '"':
			c.quoted = !c.quoted
		case c.quoted:
		case b == ',':
			if c.fields++; c.fields >= MaxCSVFields {
				// What precedes this row reaches the csv reader; the
				// row itself fails.
				c.err = errTooManyFields
				return i, c.err
			}
		case b == '\n':
			c.fields = 0
		}
	}
	return n, err
}

// DetectCSV names the CSV format of a header row ("" if none is known).
func DetectCSV(header []string) string {
	have := map[string]bool{}
	for _, h := range header {
		have[normHeader(h)] = true
	}
	for _, f := range csvDetectOrder {
		all := true
		for _, m := range csvProfiles[f].marks {
			all = all && have[m]
		}
		if all {
			return f
		}
	}
	return ""
}

func normHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// CSVSource reads entries from a CSV file.
type CSVSource struct {
	r       *csv.Reader
	budget  *exchange.BudgetReader
	columns []string // field of each column ("" for one not used)
	Format  string
	row     int
}

// NewCSVSource reads the header of a CSV file. format "" detects it
// from the header; exchange.FormatCSV with mapping (field → header column, e.g.
// name=Title) reads any CSV; a known format without mapping uses its
// own columns.
func NewCSVSource(r io.Reader, format string, mapping map[string]string) (*CSVSource, error) {
	budget := exchange.NewBudgetReader(r, MaxCSVRecordBytes)
	cr := csv.NewReader(&fieldCounter{r: budget})
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(0, err)
	}
	for _, h := range header {
		if !utf8.ValidString(h) {
			return nil, errors.New("the CSV file is not UTF-8 (save it as UTF-8 and try again)")
		}
	}
	src := &CSVSource{r: cr, budget: budget, columns: make([]string, len(header)), Format: format}
	switch {
	case len(mapping) > 0:
		byHeader := map[string]int{}
		for i, h := range header {
			byHeader[normHeader(h)] = i
		}
		for field, col := range mapping {
			if !knownField(field) {
				return nil, fmt.Errorf("--map: %q is not a field (name, url, username, password, notes, totp, folder, favorite, tags)", field)
			}
			i, ok := byHeader[normHeader(col)]
			if !ok {
				return nil, fmt.Errorf("--map: the file has no column %q", col)
			}
			src.columns[i] = field
		}
		src.Format = exchange.FormatCSV
		return src, nil
	case format == "":
		if src.Format = DetectCSV(header); src.Format == "" {
			return nil, errors.New("a CSV file whose columns Coffer does not know: give --format csv with --map (e.g. --map name=Title,username=User,password=Pass,url=Site)")
		}
	case format == exchange.FormatCSV:
		// Coffer's own CSV export is KeePassXC's columns.
		src.Format = exchange.FormatKeePassXCCSV
	}
	profile, ok := csvProfiles[src.Format]
	if !ok {
		return nil, fmt.Errorf("unknown CSV format %q", format)
	}
	found := 0
	for i, h := range header {
		if f, ok := profile.columns[normHeader(h)]; ok {
			src.columns[i] = f
			found++
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("the file's columns are not those of %s", src.Format)
	}
	return src, nil
}

func knownField(f string) bool { return slices.Contains(exchange.CSVFields, f) }

func csvError(row int, err error) error {
	if errors.Is(err, exchange.ErrOverBudget) {
		return fmt.Errorf("row %d of the CSV file is longer than %d MB: refused", row+1, MaxCSVRecordBytes>>20)
	}
	if errors.Is(err, errTooManyFields) {
		return fmt.Errorf("row %d of the CSV file has more than %d columns: refused", row+1, MaxCSVFields)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("the CSV file is damaged at line %d: %v", pe.Line, pe.Err)
	}
	if err == io.EOF {
		return errors.New("the CSV file is empty")
	}
	return err
}

// Next returns the next row as an entry.
func (s *CSVSource) Next() (exchange.Item, error) {
	for {
		s.budget.Reset(MaxCSVRecordBytes)
		rec, err := s.r.Read()
		if err == io.EOF {
			return exchange.Item{}, io.EOF
		}
		s.row++
		if err != nil {
			return exchange.Item{}, csvError(s.row, err)
		}
		v := map[string]string{}
		blank := true
		for i, cell := range rec {
			if !utf8.ValidString(cell) {
				return exchange.Item{}, fmt.Errorf("row %d of the CSV file is not UTF-8 (save the file as UTF-8 and try again)", s.row+1)
			}
			if i < len(s.columns) && s.columns[i] != "" {
				v[s.columns[i]] = cell
				blank = blank && strings.TrimSpace(cell) == ""
			}
		}
		if blank {
			continue // an empty row
		}
		return csvEntry(v, s.Format), nil
	}
}

// csvEntry makes an entry of one row's fields.
func csvEntry(v map[string]string, format string) exchange.Item {
	c := client.Content{Name: strings.TrimSpace(v[colName]), Notes: v[colNotes]}
	if v[colURL] != "" || v[colUsername] != "" || v[colPassword] != "" || v[colTOTP] != "" {
		c.Login = &client.LoginFields{Username: v[colUsername], Password: v[colPassword], TOTP: strings.TrimSpace(v[colTOTP])}
		for _, u := range strings.FieldsFunc(v[colURL], func(r rune) bool { return r == '\n' || r == ',' && format == exchange.FormatBitwardenCSV }) {
			if u = strings.TrimSpace(u); u != "" {
				c.Login.URLs = append(c.Login.URLs, u)
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(v[colFavorite])) {
	case "1", "true", "yes", "y":
		c.Favorite = true
	}
	if f := strings.Trim(strings.TrimSpace(v[colFolder]), "/"); f != "" && !strings.EqualFold(f, "Root") {
		c.Tags = append(c.Tags, f) // the folder's path, as a tag
	}
	for _, t := range strings.Split(v[colTags], ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Tags = append(c.Tags, t)
		}
	}
	// Bitwarden's custom fields: one "name: value" a line.
	for _, line := range strings.Split(v[colFields], "\n") {
		if name, value, ok := strings.Cut(line, ": "); ok && strings.TrimSpace(name) != "" {
			c.Fields = append(c.Fields, client.Field{Name: strings.TrimSpace(name), Value: value, Kind: "text"})
		}
	}
	typ := "note"
	if c.Login != nil {
		typ = "login"
	}
	if format == exchange.FormatBitwardenCSV && strings.EqualFold(v[colType], "note") {
		typ, c.Login = "note", nil
	}
	if c.Name == "" {
		c.Name = fallbackName(c)
	}
	return exchange.Item{Type: typ, Content: c}
}

// fallbackName names an entry that has none (browsers' exports often
// do): its site, its user name, or "Untitled".
func fallbackName(c client.Content) string {
	if c.Login != nil {
		for _, raw := range c.Login.URLs {
			if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
				return u.Hostname()
			}
		}
		if c.Login.Username != "" {
			return c.Login.Username
		}
	}
	return "Untitled"
}

// CSVHeader is Coffer's CSV export's header: KeePassXC's columns, which
// KeePassXC and browsers read.
var CSVHeader = []string{"Group", "Title", "Username", "Password", "URL", "Notes", "TOTP"}

// CSVWriter writes items as Coffer's CSV export. Cards, identities, SSH
// keys, secrets and custom fields have no column: their values go into
// Notes as "name: value" lines so nothing is lost; attachments are left
// out (Coffer JSON and KDBX carry them).
type CSVWriter struct {
	w      *csv.Writer
	groups map[string]string // vault id → its name in the Group column
}

// NewCSVWriter writes the header.
func NewCSVWriter(w io.Writer, vaults []exchange.Vault) (*CSVWriter, error) {
	cw := &CSVWriter{w: csv.NewWriter(w), groups: map[string]string{}}
	for _, v := range vaults {
		name := v.Name
		if v.Organisation != "" {
			name = v.Organisation + "/" + v.Name
		}
		cw.groups[v.ID] = name
	}
	return cw, cw.w.Write(CSVHeader)
}

// Write adds one item.
func (cw *CSVWriter) Write(it exchange.Item) error {
	c := it.Content
	var user, pass, urls, totp string
	if c.Login != nil {
		user, pass, urls, totp = c.Login.Username, c.Login.Password, strings.Join(c.Login.URLs, "\n"), c.Login.TOTP
	}
	var extra bytes.Buffer
	line := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&extra, "%s: %s\n", name, value)
		}
	}
	// A card's, an identity's and an SSH key's fields, by their labels
	// (a private key's lines follow its label's); a CSV has no column
	// for them, nor for the type: read back, the row is a note.
	for _, t := range client.FieldTypes() {
		for _, f := range t.Fields {
			if v := c.MemberField(t.Member, f.Name, false); v != nil {
				line(f.Label, *v)
			}
		}
	}
	for _, k := range sortedKeys(c.Secret) {
		line(k, c.Secret[k])
	}
	for _, f := range c.Fields {
		line(f.Name, f.Value)
	}
	notes := c.Notes
	if extra.Len() > 0 {
		if notes != "" && !strings.HasSuffix(notes, "\n") {
			notes += "\n"
		}
		notes += extra.String()
	}
	return cw.w.Write([]string{cw.groups[it.Vault], c.Name, user, pass, urls, notes, totp})
}

// Close flushes.
func (cw *CSVWriter) Close() error {
	cw.w.Flush()
	return cw.w.Error()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
