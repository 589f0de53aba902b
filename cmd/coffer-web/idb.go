//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"syscall/js"
)

// idbStore is the device cache (client.CacheStore, protocol §16) in the
// browser's IndexedDB: one database per account, one object store of
// byte blobs ("state", "rec:<file>"). Everything in it is sealed by the
// client core under a key derived from the account key. It is read whole
// when opened and kept in memory; every write is stored before the call
// returns, records before the state that names them.
//
// The account's high-water marks (bridge.Marks) live in a database of
// their own, apart from the cache (§16.5): "marks", one blob of JSON.
type idbStore struct {
	mu  sync.Mutex
	db  js.Value
	mem map[string][]byte
}

const idbObjects = "kv"

// await waits for an IndexedDB request's result. Its callbacks only take
// the result and wake the waiting goroutine (a callback never waits, and
// never panics: bridge.go); making the request may throw (a connection
// the browser closed), which is an error too, as is a failed request.
func await(request func() js.Value) (js.Value, error) {
	var req js.Value
	done := make(chan struct{})
	var once sync.Once
	var res js.Value
	var err error
	finish := func(get func()) {
		once.Do(func() {
			defer close(done)
			if jerr := jsTry(get); jerr != nil {
				err = fmt.Errorf("IndexedDB: %w", jerr)
			}
		})
	}
	ok := js.FuncOf(func(js.Value, []js.Value) any { finish(func() { res = req.Get("result") }); return nil })
	fail := js.FuncOf(func(js.Value, []js.Value) any {
		finish(func() {
			name := "the request failed"
			if e := req.Get("error"); e.Type() == js.TypeObject {
				name = e.Get("name").String()
			}
			err = fmt.Errorf("IndexedDB: %s", name)
		})
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	if jerr := jsTry(func() {
		req = request()
		req.Set("onsuccess", ok)
		req.Set("onerror", fail)
	}); jerr != nil {
		return js.Value{}, fmt.Errorf("IndexedDB: %w", jerr)
	}
	<-done
	return res, err
}

func openCache(userID string) (*idbStore, error) { return openIDB("coffer-cache-" + userID) }
func openMarks(userID string) (*idbStore, error) { return openIDB("coffer-marks-" + userID) }

func openIDB(name string) (*idbStore, error) {
	idb := js.Global().Get("indexedDB")
	if idb.IsUndefined() {
		return nil, errors.New("this browser has no IndexedDB")
	}
	var req js.Value
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		// A store that cannot be created makes the open fail.
		_ = jsTry(func() {
			db := req.Get("result")
			if !db.Get("objectStoreNames").Call("contains", idbObjects).Bool() {
				db.Call("createObjectStore", idbObjects)
			}
		})
		return nil
	})
	defer upgrade.Release()
	db, err := await(func() js.Value {
		req = idb.Call("open", name, 1)
		req.Set("onupgradeneeded", upgrade)
		return req
	})
	if err != nil {
		return nil, err
	}
	s := &idbStore{db: db, mem: map[string][]byte{}}
	var st js.Value
	keys, err := await(func() js.Value {
		st = db.Call("transaction", idbObjects, "readonly").Call("objectStore", idbObjects)
		return st.Call("getAllKeys")
	})
	if err != nil {
		return nil, err
	}
	vals, err := await(func() js.Value { return st.Call("getAll") })
	if err != nil {
		return nil, err
	}
	u8 := js.Global().Get("Uint8Array")
	for i := 0; i < keys.Length() && i < vals.Length(); i++ {
		v, k := vals.Index(i), keys.Index(i)
		if !v.InstanceOf(u8) || k.Type() != js.TypeString {
			continue // not ours: the cache's own checks find what is missing
		}
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		s.mem[k.String()] = b
	}
	return s, nil
}

// put stores one blob (nil deletes) and waits for the request.
func (s *idbStore) put(key string, data []byte) error {
	_, err := await(func() js.Value {
		st := s.db.Call("transaction", idbObjects, "readwrite").Call("objectStore", idbObjects)
		if data == nil {
			return st.Call("delete", key)
		}
		arr := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(arr, data)
		return st.Call("put", arr, key)
	})
	return err
}

func (s *idbStore) ReadState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mem["state"], nil
}

func (s *idbStore) WriteState(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem["state"] = append([]byte(nil), data...)
	return s.put("state", data)
}

func (s *idbStore) ReadMarks() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mem["marks"], nil
}

func (s *idbStore) WriteMarks(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem["marks"] = append([]byte(nil), data...)
	return s.put("marks", data)
}

func (s *idbStore) Size(file string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.mem["rec:"+file]
	if !ok {
		return 0, fs.ErrNotExist
	}
	return int64(len(b)), nil
}

func (s *idbStore) ReadAt(file string, p []byte, off int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.mem["rec:"+file]
	if !ok {
		return fs.ErrNotExist
	}
	if off < 0 || off+int64(len(p)) > int64(len(b)) {
		return io.ErrUnexpectedEOF
	}
	copy(p, b[off:])
	return nil
}

func (s *idbStore) Append(file string, data []byte, create bool) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.mem["rec:"+file]
	if !ok && !create {
		return 0, fs.ErrNotExist
	}
	off := int64(len(b))
	b = append(b, data...)
	s.mem["rec:"+file] = b
	return off, s.put("rec:"+file, b)
}

func (s *idbStore) Remove(file string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mem, "rec:"+file)
	return s.put("rec:"+file, nil)
}

func (s *idbStore) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem = map[string][]byte{}
	_, err := await(func() js.Value {
		return s.db.Call("transaction", idbObjects, "readwrite").Call("objectStore", idbObjects).Call("clear")
	})
	return err
}
