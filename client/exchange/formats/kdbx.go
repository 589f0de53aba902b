package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/tobischo/gokeepasslib/v3"
	"github.com/tobischo/gokeepasslib/v3/wrappers"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

// MaxKDBXBytes bounds a KeePass database read whole (the library decodes
// a database at once). A variable: tests lower it.
var MaxKDBXBytes int64 = 256 << 20

// The KeePass fields Coffer maps; every other string field is a custom
// field. KeePassXC keeps a TOTP as "otp" (an otpauth:// URI), older
// versions as "TOTP Seed"; more URLs as "KP2A_URL", "KP2A_URL_1", ….
const (
	kpTitle    = "Title"
	kpUserName = "UserName"
	kpPassword = "Password"
	kpURL      = "URL"
	kpNotes    = "Notes"
	kpOTP      = "otp"
	kpTOTPSeed = "TOTP Seed"
	kpMoreURL  = "KP2A_URL"
	// kpCofferType names the Coffer type of an entry whose type KeePass
	// has no notion of (a card, an identity, an SSH key): an import of
	// Coffer's own database gives the item its type and its fields back
	// (docs/protocol.md §19.6).
	kpCofferType = "Coffer type"
)

// kpStandard are KeePass's standard fields, which a type's field must not
// be written over.
var kpStandard = map[string]bool{"title": true, "username": true, "password": true, "url": true, "notes": true}

// kdbxKey is the string field a type's field is written as: its label
// ("Card number", "Passport number", "Private key"); an identity's user
// name is KeePass's own UserName; a label that is a standard field's name
// is said with its type's ("Identity title").
func kdbxKey(t client.ItemType, f client.TypeField) string {
	switch {
	case t.Member == "identity" && f.Name == "username":
		return kpUserName
	case kpStandard[strings.ToLower(f.Label)]:
		return t.Label + " " + strings.ToLower(f.Label)
	}
	return f.Label
}

// KDBXWriter collects items and writes them as one KDBX 4 database on
// Close, one group per vault under a root named "Coffer": what KeePassXC
// opens with every field in place.
type KDBXWriter struct {
	w        io.Writer
	password string
	db       *gokeepasslib.Database
	root     gokeepasslib.Group
	groups   map[string]int // vault id → index in root.Groups
}

// NewKDBXWriter starts a database under password.
func NewKDBXWriter(w io.Writer, vaults []exchange.Vault, password []byte) (*KDBXWriter, error) {
	if len(password) == 0 {
		return nil, errors.New("a KeePass database needs a password")
	}
	db := gokeepasslib.NewDatabase(gokeepasslib.WithDatabaseKDBXVersion4())
	db.Content.Meta.DatabaseName = "Coffer"
	kw := &KDBXWriter{w: w, password: string(password), db: db, root: gokeepasslib.NewGroup(), groups: map[string]int{}}
	kw.root.Name = "Coffer"
	for _, v := range vaults {
		g := gokeepasslib.NewGroup()
		g.Name = v.Name
		if v.Organisation != "" {
			g.Name = v.Organisation + " – " + v.Name
		}
		kw.groups[v.ID] = len(kw.root.Groups)
		kw.root.Groups = append(kw.root.Groups, g)
	}
	return kw, nil
}

func kpValue(key, value string, protected bool) gokeepasslib.ValueData {
	v := gokeepasslib.ValueData{Key: key, Value: gokeepasslib.V{Content: value}}
	if protected {
		v.Value.Protected = wrappers.NewBoolWrapper(true)
	}
	return v
}

// otpURI is a TOTP as an otpauth:// URI (Coffer keeps a URI or a bare
// base32 secret).
func otpURI(totp, name string) string {
	if strings.HasPrefix(strings.ToLower(totp), "otpauth://") {
		return totp
	}
	return "otpauth://totp/" + url.PathEscape(name) + "?secret=" + url.QueryEscape(strings.ReplaceAll(totp, " ", "")) + "&period=30&digits=6&algorithm=SHA1"
}

// Write adds one item as an entry of its vault's group.
func (kw *KDBXWriter) Write(it exchange.Item) error {
	c := it.Content
	e := gokeepasslib.NewEntry()
	used := map[string]bool{}
	add := func(key, value string, protected bool) {
		if value == "" && key != kpTitle {
			return
		}
		for base, n := key, 2; used[key]; n++ {
			key = fmt.Sprintf("%s (%d)", base, n)
		}
		used[key] = true
		e.Values = append(e.Values, kpValue(key, value, protected))
	}
	add(kpTitle, c.Name, false)
	add(kpNotes, c.Notes, false)
	if l := c.Login; l != nil {
		add(kpUserName, l.Username, false)
		add(kpPassword, l.Password, true)
		for i, u := range l.URLs {
			switch i {
			case 0:
				add(kpURL, u, false)
			case 1:
				add(kpMoreURL, u, false)
			default:
				add(fmt.Sprintf("%s_%d", kpMoreURL, i-1), u, false)
			}
		}
		if l.TOTP != "" {
			add(kpOTP, otpURI(l.TOTP, c.Name), true)
		}
	}
	// A card's, an identity's and an SSH key's fields, as the type list
	// names them; secret ones (a card number, a passport number, a
	// private key) protected.
	for _, t := range client.FieldTypes() {
		if it.Type == t.Name {
			add(kpCofferType, t.Name, false)
		}
		for _, f := range t.Fields {
			if v := c.MemberField(t.Member, f.Name, false); v != nil {
				add(kdbxKey(t, f), *v, f.Secret)
			}
		}
	}
	keys := make([]string, 0, len(c.Secret))
	for k := range c.Secret {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(k, c.Secret[k], true)
	}
	for _, f := range c.Fields {
		add(f.Name, f.Value, f.Kind == "hidden")
	}
	tags := append([]string(nil), c.Tags...)
	if c.Favorite {
		tags = append(tags, "Favorite")
	}
	e.Tags = strings.Join(tags, ";")
	for _, f := range it.Files {
		b := kw.db.AddBinary(f.Data)
		e.Binaries = append(e.Binaries, b.CreateReference(f.Name))
	}
	i, ok := kw.groups[it.Vault]
	if !ok {
		g := gokeepasslib.NewGroup()
		g.Name = it.Vault
		i = len(kw.root.Groups)
		kw.groups[it.Vault] = i
		kw.root.Groups = append(kw.root.Groups, g)
	}
	kw.root.Groups[i].Entries = append(kw.root.Groups[i].Entries, e)
	return nil
}

// Close encodes the database.
func (kw *KDBXWriter) Close() error {
	kw.db.Content.Root.Groups = []gokeepasslib.Group{kw.root}
	kw.db.Credentials = gokeepasslib.NewPasswordCredentials(kw.password)
	if err := kw.db.LockProtectedEntries(); err != nil {
		return err
	}
	return gokeepasslib.NewEncoder(kw.w).Encode(kw.db)
}

// KDBXSource gives the entries of a KeePass database.
type KDBXSource struct {
	items []exchange.Item
}

// ErrKDBXPassword: the database does not open with the password given.
var ErrKDBXPassword = errors.New("the KeePass database's password is wrong (or it needs a key file, which Coffer does not read)")

// NewKDBXSource opens a KeePass database (KDBX 3.1 or 4) with password:
// every entry, its group's path as a tag (the recycle bin left out).
func NewKDBXSource(r io.Reader, password []byte) (*KDBXSource, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxKDBXBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > MaxKDBXBytes {
		return nil, fmt.Errorf("the KeePass database is larger than %d MB: refused", MaxKDBXBytes>>20)
	}
	if err := checkKDBXCost(data); err != nil {
		return nil, err
	}
	db, err := openKDBX(data, password)
	if err != nil {
		return nil, err
	}
	if err := db.UnlockProtectedEntries(); err != nil {
		return nil, fmt.Errorf("the KeePass database: %v", err)
	}
	bins := db.Content.Meta.Binaries
	if db.Header.IsKdbx4() && db.Content.InnerHeader != nil {
		bins = db.Content.InnerHeader.Binaries
	}
	return keepassSource(db.Content, bins, func(b *gokeepasslib.Binary) ([]byte, error) { return binaryContent(db, b) })
}

// keepassSource walks a KeePass document's groups: every entry but the
// recycle bin's, its group's path as a tag.
func keepassSource(content *gokeepasslib.DBContent, bins gokeepasslib.Binaries, binary func(*gokeepasslib.Binary) ([]byte, error)) (*KDBXSource, error) {
	if content == nil || content.Root == nil || content.Meta == nil {
		return nil, errors.New("not a KeePass document: no Root or Meta")
	}
	src := &KDBXSource{}
	meta := content.Meta
	var walk func(g gokeepasslib.Group, path []string, depth int) error
	walk = func(g gokeepasslib.Group, path []string, depth int) error {
		if depth > 64 {
			return errors.New("the KeePass database's groups are nested more than 64 deep")
		}
		if meta.RecycleBinEnabled.Bool && g.UUID.Compare(meta.RecycleBinUUID) && depth > 0 {
			return nil
		}
		for _, e := range g.Entries {
			it, err := kdbxEntry(bins, binary, e, path)
			if err != nil {
				return err
			}
			src.items = append(src.items, it)
		}
		for _, sub := range g.Groups {
			if err := walk(sub, append(append([]string(nil), path...), sub.Name), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, g := range content.Root.Groups {
		// The root group's own name ("Root", the database's) is no folder.
		if err := walk(g, nil, 0); err != nil {
			return nil, err
		}
	}
	return src, nil
}

func kdbxEntry(bins gokeepasslib.Binaries, binary func(*gokeepasslib.Binary) ([]byte, error), e gokeepasslib.Entry, path []string) (exchange.Item, error) {
	c := client.Content{}
	login := &client.LoginFields{}
	var more []string
	for _, v := range e.Values {
		val := v.Value.Content
		switch k := v.Key; {
		case k == kpTitle:
			c.Name = strings.TrimSpace(val)
		case k == kpNotes:
			c.Notes = val
		case k == kpUserName:
			login.Username = val
		case k == kpPassword:
			login.Password = val
		case k == kpURL:
			if val != "" {
				login.URLs = append([]string{val}, login.URLs...)
			}
		case strings.HasPrefix(k, kpMoreURL):
			if val != "" {
				more = append(more, k+"\x00"+val)
			}
		case k == kpOTP || k == kpTOTPSeed:
			if val != "" && login.TOTP == "" {
				login.TOTP = val
			}
		case k == "TOTP Settings":
		default:
			if val == "" {
				continue
			}
			kind := "text"
			if v.Value.Protected.Bool {
				kind = "hidden"
			}
			c.Fields = append(c.Fields, client.Field{Name: k, Value: val, Kind: kind})
		}
	}
	sort.Strings(more)
	for _, m := range more {
		_, u, _ := strings.Cut(m, "\x00")
		login.URLs = append(login.URLs, u)
	}
	typ := "note"
	if login.Username != "" || login.Password != "" || len(login.URLs) > 0 || login.TOTP != "" {
		typ, c.Login = "login", login
	}
	if t, ok := cofferType(c.Fields); ok {
		typ = t.Name
		retype(&c, t, login)
	}
	if len(path) > 0 {
		c.Tags = append(c.Tags, strings.Join(path, "/"))
	}
	for _, t := range strings.FieldsFunc(e.Tags, func(r rune) bool { return r == ';' || r == ',' }) {
		switch t = strings.TrimSpace(t); {
		case t == "":
		case strings.EqualFold(t, "Favorite"):
			c.Favorite = true
		default:
			c.Tags = append(c.Tags, t)
		}
	}
	var files []exchange.File
	for _, ref := range e.Binaries {
		b := bins.Find(ref.Value.ID)
		if b == nil {
			return exchange.Item{}, fmt.Errorf("entry %q: attachment %q is missing from the database", c.Name, ref.Name)
		}
		data, err := binary(b)
		if err != nil {
			return exchange.Item{}, fmt.Errorf("entry %q: attachment %q: %v", c.Name, ref.Name, err)
		}
		files = append(files, exchange.File{Name: ref.Name, Size: int64(len(data)), Data: data})
	}
	if c.Name == "" {
		c.Name = fallbackName(c)
	}
	return exchange.Item{Type: typ, Content: c, Files: files}, nil
}

// cofferType is the type an entry's kpCofferType field names, when it is
// one whose fields kdbxKey writes.
func cofferType(fields []client.Field) (client.ItemType, bool) {
	for _, f := range fields {
		if f.Name == kpCofferType {
			for _, t := range client.FieldTypes() {
				if t.Name == strings.TrimSpace(f.Value) {
					return t, true
				}
			}
		}
	}
	return client.ItemType{}, false
}

// retype makes an entry of Coffer's own database the item of type t it
// was: its fields back into t's member, kpCofferType dropped; what else
// KeePass holds (a password, URLs someone added in KeePass) stays, as
// custom fields.
func retype(c *client.Content, t client.ItemType, login *client.LoginFields) {
	byKey := map[string]string{}
	for _, f := range t.Fields {
		byKey[kdbxKey(t, f)] = f.Name
	}
	kept := c.Fields[:0]
	for _, f := range c.Fields {
		name, ok := byKey[f.Name]
		switch {
		case f.Name == kpCofferType:
		case ok:
			*c.MemberField(t.Member, name, true) = f.Value
		default:
			kept = append(kept, f)
		}
	}
	c.Fields = kept
	c.MemberField(t.Member, "", true) // the member, even with every field empty
	if name, ok := byKey[kpUserName]; ok {
		*c.MemberField(t.Member, name, true) = login.Username
	} else if login.Username != "" {
		c.Fields = append(c.Fields, client.Field{Name: kpUserName, Value: login.Username, Kind: "text"})
	}
	if login.Password != "" {
		c.Fields = append(c.Fields, client.Field{Name: kpPassword, Value: login.Password, Kind: "hidden"})
	}
	for i, u := range login.URLs {
		c.Fields = append(c.Fields, client.Field{Name: fmt.Sprintf("%s %d", kpURL, i+1), Value: u, Kind: "url"})
	}
	if login.TOTP != "" {
		c.Fields = append(c.Fields, client.Field{Name: kpOTP, Value: login.TOTP, Kind: "hidden"})
	}
	c.Login = nil
}

// Next returns the next entry.
func (s *KDBXSource) Next() (exchange.Item, error) {
	if len(s.items) == 0 {
		return exchange.Item{}, io.EOF
	}
	it := s.items[0]
	s.items = s.items[1:]
	return it, nil
}

// kdbxMagic opens every KeePass 2 database (KDBX 3.1 and 4).
var kdbxMagic = []byte{0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5}

// binaryContent is an attachment's bytes. A KDBX 4 binary is stored raw
// (the whole payload is compressed, not each binary); the library's
// GetContentBytes would first try base64 on it and corrupt any content
// that happens to be valid base64 ("file" read back as 3 bytes). A KDBX
// 3.1 binary is base64 in the document, gzip'd when marked Compressed,
// as in an XML export: xmlBinary inflates it under a bound, where
// GetContentBytes has none.
func binaryContent(db *gokeepasslib.Database, b *gokeepasslib.Binary) ([]byte, error) {
	if db.Header.IsKdbx4() {
		return bytes.Clone(b.Content), nil
	}
	return xmlBinary(b)
}
