package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/passgen"
)

func (a *app) itemCommand() *cobra.Command {
	cmd := group("item", "Add, list, show, edit and delete items")
	// Selects the vault an ITEM argument is looked up in (add, list and
	// move have a --vault of their own: where to add, what to list, where
	// to move). VAULT/NAME in the argument does the same.
	cmd.PersistentFlags().StringVar(&a.itemVault, "vault", "", "look ITEM up in this vault only (My Vault, ORG/NAME or an id)")
	cmd.AddCommand(a.itemAddCommand(), a.itemListCommand(), a.itemGetCommand(), a.itemEditCommand(),
		a.itemRmCommand(), a.itemRestoreCommand(), a.itemHistoryCommand(), a.itemMoveCommand())
	cmd.AddCommand(a.itemExtraCommands()...)
	cmd.AddCommand(a.itemCopyCommand(), a.itemTypesCommand())
	return cmd
}

// itemTypesCommand lists the item types with their fields, from the
// client core's one list (what the web app's editor is built from).
func (a *app) itemTypesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "types",
		Short: "List the item types and their fields (--json: as the web app gets them)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			types := view.ItemTypes()
			if a.jsonOut {
				return a.printJSON(types)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "TYPE\tNAME\tFIELDS (--field KEY=VALUE; * secret)")
			for _, t := range types {
				var fields []string
				for _, f := range t.Fields {
					name := f.Name
					if f.Secret {
						name += "*"
					}
					if f.ReadOnly {
						name += " (computed)"
					}
					fields = append(fields, name)
				}
				switch {
				case t.FreeKeys:
					fields = append(fields, "any KEY*")
				case t.File:
					fields = append(fields, "--file PATH")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Label, strings.Join(fields, ", "))
			}
			return tw.Flush()
		},
	}
}

// itemFlags are the content flags shared by add and edit.
type itemFlags struct {
	name, username, password, totp, note string
	privateKey, publicKey                string
	urls, fields, textFields, urlFields  []string
	tags                                 []string
	generate, favorite                   bool
	length                               int
}

func (f *itemFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "item name")
	fl.StringVar(&f.username, "username", "", "login user name")
	fl.StringVar(&f.password, "password", "", "login password; - asks for it on the terminal (or reads stdin's first line) so it stays out of shell history; or use --generate")
	fl.BoolVar(&f.generate, "generate", false, "generate a random password")
	fl.IntVar(&f.length, "length", 20, "length of a generated password")
	fl.StringArrayVar(&f.urls, "url", nil, "URL (repeatable)")
	fl.StringVar(&f.totp, "totp", "", "TOTP secret (otpauth:// URI or base32)")
	fl.StringVar(&f.note, "note", "", "notes; - reads them from stdin, @FILE from a file")
	fl.StringArrayVar(&f.fields, "field", nil, "KEY=VALUE: a secret's key, a card's or an identity's field (coffer item types lists them) or a hidden custom field (repeatable)")
	fl.StringVar(&f.privateKey, "private-key", "", "an ssh-key item's private key: @FILE reads it from a file, - from stdin (never the key itself: it would stay in shell history)")
	fl.StringVar(&f.publicKey, "public-key", "", "an ssh-key item's public key (ssh-ed25519 AAAA… comment), or @FILE; without it, read from an OpenSSH private key")
	fl.StringArrayVar(&f.textFields, "text-field", nil, "KEY=VALUE: a visible custom field (repeatable)")
	fl.StringArrayVar(&f.urlFields, "url-field", nil, "KEY=URL: a custom URL field (repeatable)")
	fl.StringArrayVar(&f.tags, "tag", nil, "tag (repeatable; replaces the item's tags)")
	fl.BoolVar(&f.favorite, "favorite", false, "mark as favourite (--favorite=false to unmark)")
	cmd.MarkFlagsMutuallyExclusive("password", "generate")
}

// maxNoteBytes bounds notes read from stdin or a file.
const maxNoteBytes = 1 << 20

// readInputs resolves the flags that name where a value comes from rather
// than the value (issue 15): --password - (a prompt without echo on a
// terminal, else stdin's first line), --note - (all of stdin) and
// --note @FILE. Secrets then never pass through the command line.
func (a *app) readInputs(cmd *cobra.Command, f *itemFlags) error {
	set := cmd.Flags().Changed
	pwStdin := set("password") && f.password == "-"
	noteStdin := set("note") && f.note == "-"
	keyStdin := set("private-key") && f.privateKey == "-"
	if n := btoi(pwStdin) + btoi(noteStdin) + btoi(keyStdin); n > 1 {
		return usageError("only one of --password -, --note - and --private-key - can read stdin; give the others with @FILE")
	}
	if (pwStdin || noteStdin || keyStdin) && a.passwordStdin {
		return usageError("--password-stdin reads stdin too; unlock first (COFFER_SESSION) and leave it out")
	}
	if pwStdin {
		if file, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
			pw, err := a.promptTwice("Item password")
			if err != nil {
				return err
			}
			f.password = pw
		} else {
			line, err := a.readStdinLine()
			if err != nil || line == "" {
				return usageError("--password -: the first line of stdin is empty")
			}
			f.password = line
		}
	}
	var src io.Reader
	switch {
	case noteStdin:
		src = a.stdin
	case set("note") && strings.HasPrefix(f.note, "@"):
		file, err := os.Open(f.note[1:])
		if err != nil {
			return usageError("--note %s: %v", inert(f.note), err)
		}
		defer file.Close()
		src = file
	}
	if set("private-key") {
		if keyStdin {
			data, err := io.ReadAll(io.LimitReader(a.stdin, client.MaxSSHKey+1))
			if err != nil {
				return err
			}
			f.privateKey = string(data)
		} else if strings.HasPrefix(f.privateKey, "@") {
			data, err := readSmallFile("--private-key", f.privateKey[1:], client.MaxSSHKey)
			if err != nil {
				return err
			}
			f.privateKey = data
		} else if strings.TrimSpace(f.privateKey) != "" {
			return usageError("--private-key takes @FILE or - (stdin), not the key itself: it would stay in shell history")
		}
	}
	if set("public-key") && strings.HasPrefix(f.publicKey, "@") {
		data, err := readSmallFile("--public-key", f.publicKey[1:], client.MaxSSHKey)
		if err != nil {
			return err
		}
		f.publicKey = strings.TrimSpace(data)
	}
	if src != nil {
		data, err := io.ReadAll(io.LimitReader(src, maxNoteBytes+1))
		if err != nil {
			return err
		}
		if len(data) > maxNoteBytes {
			return usageError("--note: more than %d bytes; attach large text as a file (coffer item attach)", maxNoteBytes)
		}
		if !utf8.Valid(data) {
			return usageError("--note: the text is not UTF-8")
		}
		f.note = strings.TrimSuffix(string(data), "\n")
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readSmallFile reads a UTF-8 text file of at most limit bytes (the
// client refuses a longer key with its own words; this bound only keeps a
// wrong path from reading a disk image).
func readSmallFile(flag, path string, limit int) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", usageError("%s @%s: %v", flag, inert(path), err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, int64(limit)+1))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(data) {
		return "", usageError("%s @%s: the file is not text", flag, inert(path))
	}
	return string(data), nil
}

// apply changes c according to the flags that were set on cmd.
func (f *itemFlags) apply(cmd *cobra.Command, typ string, c *client.Content) error {
	set := cmd.Flags().Changed
	if set("name") {
		if strings.TrimSpace(f.name) == "" {
			return usageError("--name must not be empty")
		}
		c.Name = f.name
	}
	if set("note") {
		c.Notes = f.note
	}
	if set("username") && typ == "identity" {
		identity(c).Username = f.username
	}
	loginFlags := (set("username") && typ != "identity") || set("password") || set("generate") || set("url") || set("totp")
	if loginFlags && typ != "login" {
		return usageError("--username, --password, --generate, --url and --totp apply to login items only (--username to identities too)")
	}
	keyFlags := set("private-key") || set("public-key")
	if keyFlags && typ != "ssh-key" {
		return usageError("--private-key and --public-key apply to ssh-key items only")
	}
	if keyFlags {
		if c.SSHKey == nil {
			c.SSHKey = &client.SSHKey{}
		}
		if set("private-key") {
			c.SSHKey.PrivateKey = f.privateKey
		}
		if set("public-key") {
			c.SSHKey.PublicKey = f.publicKey
		}
		if set("private-key") && !set("public-key") {
			// A new private key's public key is read from it anew (the
			// client core fills it in), not kept from the old one.
			c.SSHKey.PublicKey = ""
		}
	}
	if loginFlags {
		if c.Login == nil {
			c.Login = &client.LoginFields{}
		}
		if set("username") {
			c.Login.Username = f.username
		}
		if set("password") {
			c.Login.Password = f.password
		}
		if f.generate {
			pw, err := passgen.Password(passgen.Options{Length: f.length})
			if err != nil {
				return usageError("%v", err)
			}
			c.Login.Password = pw
		}
		if set("url") {
			c.Login.URLs = f.urls
		}
		if set("totp") {
			c.Login.TOTP = f.totp
		}
	}
	if set("tag") {
		c.Tags = f.tags
	}
	if set("favorite") {
		c.Favorite = f.favorite
	}
	seen := map[string]bool{}
	for kind, list := range map[string][]string{"text": f.textFields, "url": f.urlFields} {
		for _, kv := range list {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.TrimSpace(k) == "" || reservedField[k] || seen[k] {
				return usageError("--%s-field wants KEY=VALUE with a new, non-built-in key", kind)
			}
			seen[k] = true
			setCustomField(c, k, v)
			for i := range c.Fields {
				if c.Fields[i].Name == k {
					c.Fields[i].Kind = kind
				}
			}
		}
	}
	for _, kv := range f.fields {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
			return usageError("--field wants KEY=VALUE; this one has no '='")
		case strings.TrimSpace(k) == "":
			return usageError("--field wants KEY=VALUE; the key is empty")
		case seen[k]:
			return usageError("--field %s is given twice", inert(k))
		case reservedField[k]:
			return usageError("--field %s: %q is a built-in field; use --%s", inert(k), k, builtinFlag(k))
		}
		seen[k] = true
		switch typ {
		case "secret":
			if c.Secret == nil {
				c.Secret = map[string]string{}
			}
			c.Secret[k] = v
		case "card":
			if !setCardField(c, k, v) {
				setCustomField(c, k, v)
			}
		case "identity":
			if p := identity(c).IdentityField(k); p != nil {
				*p = v
			} else {
				setCustomField(c, k, v)
			}
		case "ssh-key":
			if k == "private_key" || k == "public_key" || k == "fingerprint" {
				return usageError("--field %s: an SSH key's keys are given with --private-key and --public-key (from files); the fingerprint is computed", inert(k))
			}
			setCustomField(c, k, v)
		default:
			setCustomField(c, k, v)
		}
	}
	return nil
}

// reservedField are names with a flag of their own; a custom field of that
// name would shadow or be shadowed by the real one.
var reservedField = map[string]bool{"name": true, "notes": true, "note": true, "username": true, "password": true, "url": true, "uri": true, "totp": true, "tags": true, "favorite": true}

func builtinFlag(k string) string {
	switch k {
	case "notes", "note":
		return "note"
	case "uri":
		return "url"
	}
	return k
}

// identity is c's identity, made when it has none.
func identity(c *client.Content) *client.Identity {
	if c.Identity == nil {
		c.Identity = &client.Identity{}
	}
	return c.Identity
}

// setCardField fills the card's own fields from --field holder=…,
// number=…, expiry=…, cvv=….
func setCardField(c *client.Content, k, v string) bool {
	if c.Card == nil {
		c.Card = &client.Card{}
	}
	switch k {
	case "holder":
		c.Card.Holder = v
	case "number":
		c.Card.Number = v
	case "expiry":
		c.Card.Expiry = v
	case "cvv":
		c.Card.CVV = v
	default:
		return false
	}
	return true
}

// setCustomField sets a custom field; new ones from the command line are
// hidden (masked when shown) because the CLI cannot tell a label from a key.
func setCustomField(c *client.Content, k, v string) {
	for i := range c.Fields {
		if c.Fields[i].Name == k {
			c.Fields[i].Value = v
			return
		}
	}
	c.Fields = append(c.Fields, client.Field{Name: k, Value: v, Kind: "hidden"})
}

func (a *app) itemAddCommand() *cobra.Command {
	var f itemFlags
	var typ, vault, file string
	types := strings.Join(client.ItemTypeNames(), "|")
	cmd := &cobra.Command{
		Use:   "add --type " + types + " --name NAME",
		Short: "Add an item (to My Vault unless --vault)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, ok := client.LookupItemType(typ)
			switch {
			case !ok:
				return usageError("--type must be one of %s (coffer item types lists them with their fields)", strings.ReplaceAll(types, "|", ", "))
			case t.File && file == "":
				return usageError("a file item needs --file PATH")
			}
			if !cmd.Flags().Changed("name") {
				return usageError("--name is required")
			}
			var c client.Content
			if err := a.readInputs(cmd, &f); err != nil {
				return err
			}
			if err := f.apply(cmd, typ, &c); err != nil {
				return err
			}
			s, err := a.synced(cmd)
			if err != nil {
				return err
			}
			v, err := s.FindVault(vault)
			if err != nil {
				return err
			}
			if file != "" {
				att, err := a.uploadFile(cmd, s, v.ID, file)
				if err != nil {
					return err
				}
				c.Files = append(c.Files, att)
			}
			it, err := s.CreateItem(cmd.Context(), v.ID, typ, c)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(view.ItemOf(s, it, view.ItemOptions{}))
			}
			fmt.Fprintf(a.stdout, "Added %s %q (%s)\n", it.Type, inert(it.Content.Name), it.ID)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&typ, "type", "", strings.ReplaceAll(types, "|", ", ")+" (file with --file)")
	cmd.Flags().StringVar(&vault, "vault", "", "vault name or id (default My Vault)")
	cmd.Flags().StringVar(&file, "file", "", "the file of a --type file item (encrypted before upload)")
	return cmd
}

// synced opens the session with this device's high-water marks and its
// device cache, and syncs it (a delta from the cache's cursor); the cache
// and the marks are saved again when the command ends (saveMarks).
func (a *app) synced(cmd *cobra.Command) (*client.Session, error) {
	s, err := a.unlocked()
	if err != nil {
		return nil, err
	}
	a.attach(s)
	err = a.sync(cmd, s)
	return s, err
}

// attach gives s this device's high-water marks and device cache, before
// its first sync; Main saves both when the command ends.
//
// The marks file is read whole only when the cache is not used: a cache
// at the generation the marks file names holds the same marks (§16.5),
// and at 10,000 items parsing the file costs more than the rest of a
// command.
func (a *app) attach(s *client.Session) {
	a.session = s
	s.SetMarks(a.marksHead())
	if store, err := a.cacheStore(); err == nil {
		warning, err := s.UseCache(store)
		if err != nil {
			warning = "the device cache cannot be read, so this command does without it: " + err.Error()
		}
		if warning != "" {
			fmt.Fprintln(a.stderr, "coffer: warning: "+oneLine(warning))
		}
	}
	if s.CacheInUse() {
		return
	}
	var m client.Marks
	if err := a.loadJSON(marksFile, &m); err == nil {
		s.SetMarks(m)
	}
}

// marksHead reads the cache and restore generations the marks file names
// from its first bytes (client.MarksHead; 0 when there is none, or the
// file is of an older format).
func (a *app) marksHead() client.Marks {
	d, err := a.dir()
	if err != nil {
		return client.Marks{}
	}
	f, err := os.Open(filepath.Join(d, marksFile))
	if err != nil {
		return client.Marks{}
	}
	defer f.Close()
	head := make([]byte, 128)
	n, _ := io.ReadFull(f, head)
	return client.MarksHead(head[:n])
}

// sync syncs s. A quarantine (some organisation, group or vault failed
// verification) is not the command's failure: the rest is usable, so the
// command goes on and Main names each quarantined object when it ends; a
// command that needs a quarantined vault or its items fails with exit
// code 5.
func (a *app) sync(cmd *cobra.Command, s *client.Session) error {
	err := s.Sync(cmd.Context())
	if client.IsQuarantine(err) {
		a.noteQuarantined(s)
		return nil
	}
	return err
}

// noteQuarantined remembers a session with quarantined objects, for Main.
func (a *app) noteQuarantined(s *client.Session) { a.quarantined = s }

// quarantineNotices describes each quarantined object, one line each.
func (a *app) quarantineNotices() []string {
	if a.quarantined == nil {
		return nil
	}
	var out []string
	for _, q := range a.quarantined.Quarantined() {
		out = append(out, inert(q.Describe()))
	}
	return out
}

// saveMarks keeps the session's device cache and high-water marks for
// the next run, the cache first: the marks then carry the generation just
// written, and a crash in between leaves a cache newer than the marks,
// which is used.
func (a *app) saveMarks() {
	if a.session == nil {
		return
	}
	if err := a.saveCache(a.session); err != nil {
		fmt.Fprintln(a.stderr, "coffer: warning: the device cache was not saved; the next command syncs in full: "+oneLine(err.Error()))
	}
	if !a.session.MarksChanged() {
		return // the file holds them already
	}
	if data, err := a.session.MarksJSON(); err == nil {
		if d, err := a.dir(); err == nil {
			writeFileAtomic(filepath.Join(d, marksFile), data)
		}
	}
}

func (a *app) saveCache(s *client.Session) error {
	store, err := a.cacheStore()
	if err != nil {
		return err
	}
	unlock, err := store.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return s.SaveCache()
}

// findItem is Session.FindItem that survives a damaged device cache: the
// cache is discarded with a warning, the session syncs in full and the
// item is looked up again.
func (a *app) findItem(cmd *cobra.Command, s *client.Session, ref string, trashed bool) (*client.Item, error) {
	find := func() (*client.Item, error) {
		if a.itemVault == "" {
			return s.FindItem(ref, trashed)
		}
		v, err := s.FindVault(a.itemVault)
		if err != nil {
			return nil, err
		}
		return s.FindItemIn(ref, v.ID, trashed)
	}
	it, err := find()
	if !errors.Is(err, client.ErrCacheDamaged) {
		return it, err
	}
	if err := a.rebuildCache(cmd, s, err); err != nil {
		return nil, err
	}
	return find()
}

// rebuildCache discards a damaged device cache with a warning and syncs
// the session in full.
func (a *app) rebuildCache(cmd *cobra.Command, s *client.Session, why error) error {
	fmt.Fprintln(a.stderr, "coffer: warning: the device cache was discarded and is rebuilt from the server: "+oneLine(why.Error()))
	if err := s.DiscardCache(); err != nil {
		return err
	}
	return a.sync(cmd, s)
}

// syncedItem opens and syncs the session and resolves ref among live (or,
// with trashed, trashed) items. On a lookup error the session is still
// returned, so callers can look elsewhere.
func (a *app) syncedItem(cmd *cobra.Command, ref string, trashed bool) (*client.Session, *client.Item, error) {
	s, err := a.synced(cmd)
	if err != nil {
		return nil, nil, err
	}
	it, err := a.findItem(cmd, s, ref, trashed)
	return s, it, err
}

func (a *app) itemListCommand() *cobra.Command {
	var vault, search string
	var trash bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List items (names, types, ids; no secrets)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.synced(cmd)
			if err != nil {
				return err
			}
			var vaultID string
			if vault != "" {
				v, err := s.FindVault(vault)
				if err != nil {
					return err
				}
				vaultID = v.ID
			}
			if a.jsonOut {
				if err := a.printJSON(view.Summaries(s, trash, vaultID, search)); err != nil {
					return err
				}
				return incompleteList(s, vaultID)
			}
			items := s.Search(trash, vaultID, search)
			vaults := vaultLabels(s)
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "NAME\tTYPE\tUSERNAME\tVAULT\tID")
			for _, it := range items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inert(it.Name), it.Type, inert(it.Username), inert(vaults[it.VaultID]), it.ID)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			return incompleteList(s, vaultID)
		},
	}
	cmd.Flags().StringVar(&vault, "vault", "", "only this vault")
	cmd.Flags().StringVar(&search, "search", "", "only items whose name, user name, URL or tags contain TEXT")
	cmd.Flags().BoolVar(&trash, "trash", false, "list the trash instead")
	return cmd
}

// vaultLabels names each vault as commands take it: "My Vault" or
// ORG/NAME (issue 15: a list says where each item is).
func vaultLabels(s *client.Session) map[string]string {
	out := map[string]string{}
	for _, v := range s.Vaults() {
		if v.Kind == "personal" {
			out[v.ID] = "My Vault"
		} else {
			out[v.ID] = v.OrgName + "/" + v.Name
		}
	}
	return out
}

func (a *app) itemGetCommand() *cobra.Command {
	var field string
	var reveal, access bool
	cmd := &cobra.Command{
		Use:     "get ITEM",
		Aliases: []string{"show"},
		Short:   "Show an item (secrets masked unless --reveal), or one field's value with --field",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, it, err := a.syncedItem(cmd, args[0], false)
			if errors.Is(err, client.ErrNotFound) && s != nil {
				// An id finds an item in the trash too (it says so); a
				// name of an item in the trash says where it is.
				if t, terr := a.findItem(cmd, s, args[0], true); terr == nil && t.ID == args[0] {
					it, err = t, nil
				} else if terr == nil {
					return withCode(ExitNotFound, fmt.Errorf("item %q is in the trash; bring it back with: coffer item restore %s", inert(t.Content.Name), t.ID))
				}
			}
			if err != nil {
				return err
			}
			if field != "" {
				v, ok := it.Content.FieldValue(field)
				if !ok {
					var names []string
					for _, v := range it.Content.Values() {
						names = append(names, inert(v.Name))
					}
					return withCode(ExitNotFound, fmt.Errorf("item %q has no field %q; its fields: %s", inert(it.Content.Name), inert(field), strings.Join(names, ", ")))
				}
				if a.jsonOut {
					return a.printJSON(map[string]string{"field": field, "value": v})
				}
				fmt.Fprintln(a.stdout, v)
				return nil
			}
			o := view.ItemOf(s, it, view.ItemOptions{Reveal: reveal})
			if access {
				if o.Access, err = view.ItemAccess(cmd.Context(), s, it); err != nil {
					return err
				}
			}
			if a.jsonOut {
				return a.printJSON(o)
			}
			a.printItem(it, o)
			return nil
		},
	}
	cmd.Flags().StringVar(&field, "field", "", "print only this field's value (e.g. password, username, url, notes, a secret key)")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "show secret values")
	cmd.Flags().BoolVar(&access, "access", false, "also show who opens the item, and through which group (for whoever manages its vault)")
	return cmd
}

// printItem prints an item's view: its fields in reading order (as the
// web app shows them), each under its stable name.
func (a *app) printItem(it *client.Item, o view.Item) {
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "name:\t%s\n", inert(o.Name))
	fmt.Fprintf(tw, "type:\t%s\n", o.Type)
	if o.Vault != "" {
		fmt.Fprintf(tw, "vault:\t%s\n", inert(o.Vault))
	}
	fmt.Fprintf(tw, "id:\t%s\n", o.ID)
	fmt.Fprintf(tw, "revision:\t%d\n", o.Revision)
	if len(o.Tags) > 0 {
		fmt.Fprintf(tw, "tags:\t%s\n", inert(strings.Join(o.Tags, ", ")))
	}
	if o.Favorite {
		fmt.Fprintf(tw, "favorite:\tyes\n")
	}
	for _, f := range o.Files {
		fmt.Fprintf(tw, "attachment:\t%s (%d bytes)\n", inert(f.Name), f.Size)
	}
	if it.Trashed {
		fmt.Fprintf(tw, "trashed:\tyes (restore with: coffer item restore %s)\n", it.ID)
	}
	var blocks []view.Field
	for _, f := range o.Values {
		if strings.Contains(f.Value, "\n") {
			blocks = append(blocks, f) // after the table, a line each
			continue
		}
		fmt.Fprintf(tw, "%s:\t%s\n", inert(f.Name), inert(f.Value))
	}
	for _, x := range o.Access {
		fmt.Fprintf(tw, "opened by:\t%s (%s, through %s)\n", inert(x.Email), x.Permission, inert(strings.Join(x.Through, ", ")))
	}
	tw.Flush()
	for _, f := range blocks {
		fmt.Fprintf(a.stdout, "%s:\n", inert(f.Name))
		for _, line := range strings.Split(f.Value, "\n") {
			fmt.Fprintf(a.stdout, "  %s\n", inert(line))
		}
	}
}

func (a *app) itemEditCommand() *cobra.Command {
	var f itemFlags
	var ifRevision uint64
	cmd := &cobra.Command{
		Use:   "edit ITEM",
		Short: "Change an item; makes a new revision",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, it, err := a.syncedItem(cmd, args[0], false)
			if err != nil {
				return err
			}
			// A deep copy: the secret's keys, the card and the custom
			// fields are maps, pointers and slices, and an edit made in
			// place would compare equal to itself (issue 15, defect 1).
			c := it.Content.Clone()
			if err := a.readInputs(cmd, &f); err != nil {
				return err
			}
			if err := f.apply(cmd, it.Type, &c); err != nil {
				return err
			}
			if same, err := sameContent(it.Content, c); err != nil || same {
				return usageError("nothing to change: give at least one of --name, --username, --password, --generate, --url, --totp, --note, --field, --private-key, --public-key with a new value")
			}
			// A script that read revision N must not overwrite a change
			// made since (compare-and-set, as the web app's editor).
			updated, err := s.UpdateItemAt(cmd.Context(), it, c, ifRevision)
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(view.ItemOf(s, updated, view.ItemOptions{}))
			}
			fmt.Fprintf(a.stdout, "Updated %q: revision %d\n", inert(updated.Content.Name), updated.Revision)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().Uint64Var(&ifRevision, "revision", 0, "change the item only if it is still at this revision (else exit 4, nothing saved)")
	return cmd
}

func sameContent(a, b client.Content) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	return string(ja) == string(jb), err
}

func (a *app) itemRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm ITEM",
		Aliases: []string{"delete", "remove"},
		Short:   "Move an item to the trash",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, it, err := a.syncedItem(cmd, args[0], false)
			if err != nil {
				return err
			}
			if _, err := s.TrashItem(cmd.Context(), it); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Moved %q to the trash (restore with: coffer item restore %s)\n", inert(it.Content.Name), it.ID)
			return nil
		},
	}
}

func (a *app) itemRestoreCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "restore ITEM",
		Short: "Restore an item from the trash",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, it, err := a.syncedItem(cmd, args[0], true)
			if errors.Is(err, client.ErrNotFound) {
				if _, live := a.findItem(cmd, s, args[0], false); live == nil {
					return withCode(ExitNotFound, fmt.Errorf("item %q is not in the trash", inert(args[0])))
				}
			}
			if err != nil {
				return err
			}
			if _, err := s.RestoreItem(cmd.Context(), it); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Restored %q\n", inert(it.Content.Name))
			return nil
		},
	}
}

func (a *app) itemHistoryCommand() *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "history ITEM",
		Short: "Show every revision of an item with the fields it changed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, it, err := a.syncedItem(cmd, args[0], false)
			if err != nil {
				if it, err = a.findItem(cmd, s, args[0], true); err != nil {
					return err
				}
			}
			versions, err := s.History(cmd.Context(), it)
			if err != nil {
				return err
			}
			out := view.History(s, it, versions, reveal)
			if a.jsonOut {
				return a.printJSON(out)
			}
			for _, h := range out {
				what := ""
				if h.What != "" {
					what = "  (" + h.What + ")"
				}
				fmt.Fprintf(a.stdout, "revision %d  %s  %s%s\n", h.Revision, h.Time.Local().Format("2006-01-02 15:04:05"), h.Author, what)
				for _, c := range h.Changes {
					fmt.Fprintf(a.stdout, "  %s: %s → %s\n", inert(c.Field), inert(c.Old), inert(c.New))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal", false, "show secret values")
	return cmd
}

// incompleteList: a listing of every vault (vaultID "") printed only what
// verified; when a vault is quarantined the command says so and exits with
// ExitTampered, after printing the rest, so a script notices.
func incompleteList(s *client.Session, vaultID string) error {
	if vaultID != "" {
		return nil
	}
	var names []string
	for _, q := range s.Quarantined() {
		if q.Kind == client.KindVault {
			names = append(names, q.Label())
		}
	}
	if len(names) == 0 {
		return nil
	}
	return withCode(ExitTampered, fmt.Errorf("the list leaves out quarantined data (%s): %w", inert(strings.Join(names, ", ")), client.ErrTampered))
}
