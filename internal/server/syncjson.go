package server

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/internal/store"
)

// appendSyncItem appends an item of a sync's answer: byte for byte what
// json.Marshal(itemToAPI(st)) gives, with the head revision copied from the
// encoding the store kept (st.HeadJSON) and the rest written here without
// reflection (TestSyncItemEncodingMatchesJSON).
func appendSyncItem(b []byte, st store.ItemState) ([]byte, error) {
	for _, t := range []time.Time{st.TrashedAt, st.CreatedAt, st.UpdatedAt} {
		if y := t.Year(); y < 0 || y > 9999 {
			_, err := t.MarshalJSON() // as json.Marshal would fail
			return b, err
		}
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, st.ID)
	b = append(b, `,"vault_id":`...)
	b = appendJSONString(b, st.VaultID)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, st.Type)
	b = append(b, `,"head":`...)
	b = strconv.AppendUint(b, st.Head, 10)
	b = append(b, `,"trashed":`...)
	b = strconv.AppendBool(b, st.Trashed)
	if st.Trashed {
		b = append(b, `,"trashed_at":`...)
		b = appendJSONTime(b, st.TrashedAt)
	}
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, st.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, st.UpdatedAt)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, st.Seq, 10)
	b = append(b, `,"head_revision":`...)
	b = append(b, st.HeadJSON...)
	b = append(b, `,"key_wraps":[`...)
	for i, w := range st.KeyWraps {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key_vault":`...)
		b = appendJSONString(b, w.KeyVault)
		b = append(b, `,"key_epoch":`...)
		b = strconv.AppendUint(b, w.KeyEpoch, 10)
		b = append(b, `,"wrap_vault":`...)
		b = appendJSONString(b, w.WrapVault)
		b = append(b, `,"wrap_epoch":`...)
		b = strconv.AppendUint(b, w.WrapEpoch, 10)
		b = append(b, `,"wrap":`...)
		b = appendJSONBytes(b, w.Wrap)
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// appendJSONString appends s as encoding/json writes it: plain printable
// ASCII is copied, anything else (escapes, HTML characters, non-ASCII) goes
// through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s)
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONBytes appends p as encoding/json writes a []byte: standard
// base64, null for nil.
func appendJSONBytes(b []byte, p []byte) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendJSONTime appends t as time.Time's MarshalJSON writes it (RFC 3339
// with nanoseconds as needed) for a year in 0–9999 (appendSyncItem checks).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}
