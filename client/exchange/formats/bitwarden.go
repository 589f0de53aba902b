package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

type bwFolder struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type bwItem struct {
	Type          int      `json:"type"`
	Name          string   `json:"name"`
	Notes         *string  `json:"notes"`
	Favorite      bool     `json:"favorite"`
	FolderID      *string  `json:"folderId"`
	CollectionIDs []string `json:"collectionIds"`
	Fields        []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
		Type  int     `json:"type"`
	} `json:"fields"`
	Login *struct {
		URIs []struct {
			URI *string `json:"uri"`
		} `json:"uris"`
		Username *string `json:"username"`
		Password *string `json:"password"`
		TOTP     *string `json:"totp"`
	} `json:"login"`
	Card *struct {
		Holder   *string `json:"cardholderName"`
		Brand    *string `json:"brand"`
		Number   *string `json:"number"`
		ExpMonth *string `json:"expMonth"`
		ExpYear  *string `json:"expYear"`
		Code     *string `json:"code"`
	} `json:"card"`
	Identity map[string]*string `json:"identity"`
	SSHKey   map[string]*string `json:"sshKey"`
}

// bwIdentity and bwSSHKey name Coffer's field for each of Bitwarden's
// identity and SSH key members.
var (
	bwIdentity = map[string]string{"title": "title", "firstName": "first_name", "middleName": "middle_name", "lastName": "last_name",
		"address1": "address1", "address2": "address2", "address3": "address3", "city": "city", "state": "state", "postalCode": "postal_code",
		"country": "country", "company": "company", "email": "email", "phone": "phone", "ssn": "ssn", "username": "username",
		"passportNumber": "passport_number", "licenseNumber": "license_number"}
	bwSSHKey = map[string]string{"privateKey": "private_key", "publicKey": "public_key", "keyFingerprint": "fingerprint"}
)

// bitwardenFields puts an identity's or an SSH key's members into the
// item's fields; one Coffer does not know (a later Bitwarden's) is kept as
// a hidden custom field, so nothing is lost.
func bitwardenFields(c *client.Content, members map[string]*string, names map[string]string, field func(string) *string) {
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := str(members[k])
		if v == "" {
			continue
		}
		if name, ok := names[k]; ok {
			*field(name) = v
		} else {
			c.Fields = append(c.Fields, client.Field{Name: k, Value: v, Kind: "hidden"})
		}
	}
}

// BitwardenSource reads a Bitwarden JSON export an item at a time.
type BitwardenSource struct {
	dec     *json.Decoder
	budget  *exchange.BudgetReader
	folders map[string]string // folder or collection id → name
}

// ErrEncryptedBitwarden: a password-protected or account-encrypted
// Bitwarden export, which Coffer cannot read.
var ErrEncryptedBitwarden = errors.New("this Bitwarden export is encrypted: export your vault again from Bitwarden as \"JSON\" (not \"JSON (exchange.Encrypted)\") and import that file")

// NewBitwardenSource reads a Bitwarden export up to its items.
func NewBitwardenSource(r io.Reader) (*BitwardenSource, error) {
	budget := exchange.NewBudgetReader(r, exchange.MaxItemBytes)
	dec := json.NewDecoder(budget)
	src := &BitwardenSource{dec: dec, budget: budget, folders: map[string]string{}}
	// The folders are kept while the items are read: their total is
	// bounded, not just each list (a hostile export can repeat the key).
	var folderBytes int64
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a Bitwarden JSON export: it does not start with a JSON object")
	}
	for dec.More() {
		budget.Reset(exchange.MaxItemBytes)
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a Bitwarden JSON export: %v", err)
		}
		switch key, _ := t.(string); key {
		case "encrypted":
			var enc bool
			if err := dec.Decode(&enc); err != nil {
				return nil, err
			}
			if enc {
				return nil, ErrEncryptedBitwarden
			}
		case "passwordProtected", "encKeyValidation_DO_NOT_EDIT":
			return nil, ErrEncryptedBitwarden
		case "folders", "collections":
			var list []bwFolder
			if err := dec.Decode(&list); err != nil {
				return nil, fmt.Errorf("the export's %s: %v", key, err)
			}
			for _, f := range list {
				if folderBytes += int64(len(f.ID) + len(f.Name)); folderBytes > exchange.MaxItemBytes {
					return nil, fmt.Errorf("the export's folders and collections are larger than %d MB: refused", exchange.MaxItemBytes>>20)
				}
				src.folders[f.ID] = f.Name
			}
		case "items":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, errors.New("the export's items are not a list")
			}
			return src, nil
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("the export's %s: %v", key, err)
			}
		}
	}
	return nil, errors.New("not a Bitwarden JSON export: no items")
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Next returns the next item as an entry.
func (s *BitwardenSource) Next() (exchange.Item, error) {
	if !s.dec.More() {
		return exchange.Item{}, io.EOF
	}
	s.budget.Reset(exchange.MaxItemBytes)
	var b bwItem
	if err := s.dec.Decode(&b); err != nil {
		if errors.Is(err, exchange.ErrOverBudget) {
			return exchange.Item{}, fmt.Errorf("an item of the export is larger than %d MB: refused", exchange.MaxItemBytes>>20)
		}
		return exchange.Item{}, fmt.Errorf("the export is damaged: %v", err)
	}
	c := client.Content{Name: strings.TrimSpace(b.Name), Notes: str(b.Notes), Favorite: b.Favorite}
	if b.FolderID != nil && s.folders[*b.FolderID] != "" {
		c.Tags = append(c.Tags, s.folders[*b.FolderID])
	}
	for _, id := range b.CollectionIDs {
		if name := s.folders[id]; name != "" {
			c.Tags = append(c.Tags, name)
		}
	}
	for _, f := range b.Fields {
		kind := "text"
		if f.Type == 1 {
			kind = "hidden"
		}
		if f.Type == 3 {
			continue // a linked field repeats the login's own
		}
		c.Fields = append(c.Fields, client.Field{Name: str(f.Name), Value: str(f.Value), Kind: kind})
	}
	typ := "note"
	switch b.Type {
	case 1:
		typ = "login"
		c.Login = &client.LoginFields{}
		if b.Login != nil {
			c.Login.Username, c.Login.Password, c.Login.TOTP = str(b.Login.Username), str(b.Login.Password), str(b.Login.TOTP)
			for _, u := range b.Login.URIs {
				if v := strings.TrimSpace(str(u.URI)); v != "" {
					c.Login.URLs = append(c.Login.URLs, v)
				}
			}
		}
	case 2:
	case 3:
		typ = "card"
		c.Card = &client.Card{}
		if b.Card != nil {
			c.Card.Holder, c.Card.Number, c.Card.CVV = str(b.Card.Holder), str(b.Card.Number), str(b.Card.Code)
			if m, y := strings.TrimSpace(str(b.Card.ExpMonth)), strings.TrimSpace(str(b.Card.ExpYear)); m != "" || y != "" {
				if len(m) == 1 {
					m = "0" + m
				}
				c.Card.Expiry = m + "/" + y
			}
			if brand := str(b.Card.Brand); brand != "" {
				c.Fields = append(c.Fields, client.Field{Name: "Brand", Value: brand, Kind: "text"})
			}
		}
	case 4:
		typ = "identity"
		c.Identity = &client.Identity{}
		bitwardenFields(&c, b.Identity, bwIdentity, c.Identity.IdentityField)
	case 5:
		// The fingerprint is the client's to compute (it checks the key
		// pair as it does); Bitwarden's is the same SHA256:… form.
		typ = "ssh-key"
		c.SSHKey = &client.SSHKey{}
		bitwardenFields(&c, b.SSHKey, bwSSHKey, c.SSHKey.SSHKeyField)
	default:
		return exchange.Item{Type: fmt.Sprintf("bitwarden type %d", b.Type), Content: c}, nil
	}
	if c.Name == "" {
		c.Name = fallbackName(c)
	}
	return exchange.Item{Type: typ, Content: c}, nil
}
