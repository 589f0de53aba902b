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

// await runs a request-producing function and waits for its result.
func await(req js.Value) (js.Value, error) {
	done := make(chan struct{})
	var res js.Value
	var err error
	var ok, fail js.Func
	ok = js.FuncOf(func(js.Value, []js.Value) any { res = req.Get("result"); close(done); return nil })
	fail = js.FuncOf(func(js.Value, []js.Value) any {
		err = fmt.Errorf("IndexedDB: %s", req.Get("error").Call("toString").String())
		close(done)
		return nil
	})
	req.Set("onsuccess", ok)
	req.Set("onerror", fail)
	<-done
	ok.Release()
	fail.Release()
	return res, err
}

func openCache(userID string) (*idbStore, error) { return openIDB("coffer-cache-" + userID) }
func openMarks(userID string) (*idbStore, error) { return openIDB("coffer-marks-" + userID) }

func openIDB(name string) (*idbStore, error) {
	idb := js.Global().Get("indexedDB")
	if idb.IsUndefined() {
		return nil, errors.New("this browser has no IndexedDB")
	}
	req := idb.Call("open", name, 1)
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", idbObjects).Bool() {
			db.Call("createObjectStore", idbObjects)
		}
		return nil
	})
	req.Set("onupgradeneeded", upgrade)
	db, err := await(req)
	upgrade.Release()
	if err != nil {
		return nil, err
	}
	s := &idbStore{db: db, mem: map[string][]byte{}}
	st := db.Call("transaction", idbObjects, "readonly").Call("objectStore", idbObjects)
	keys, err := await(st.Call("getAllKeys"))
	if err != nil {
		return nil, err
	}
	vals, err := await(st.Call("getAll"))
	if err != nil {
		return nil, err
	}
	for i := 0; i < keys.Length() && i < vals.Length(); i++ {
		v := vals.Index(i)
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		s.mem[keys.Index(i).String()] = b
	}
	return s, nil
}

// put stores one blob (nil deletes) and waits for the transaction.
func (s *idbStore) put(key string, data []byte) error {
	tx := s.db.Call("transaction", idbObjects, "readwrite")
	st := tx.Call("objectStore", idbObjects)
	var req js.Value
	if data == nil {
		req = st.Call("delete", key)
	} else {
		arr := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(arr, data)
		req = st.Call("put", arr, key)
	}
	_, err := await(req)
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
	_, err := await(s.db.Call("transaction", idbObjects, "readwrite").Call("objectStore", idbObjects).Call("clear"))
	return err
}
