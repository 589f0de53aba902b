package bridge_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeDevicesSignOutOthers (issue 27): a page lists the account's
// devices as the core names them, this one first; signing out the others
// ends the other page's live stream with kind unauthorized (the page then
// locks), and that page's next call is refused.
func TestBridgeDevicesSignOutOthers(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	desk := signedUp(t, env.URL, "devices@bridge.example")
	phone := newPage(t, env.URL)
	phone.call(nil, "login", "devices@bridge.example", pw)
	events := make(chan bridge.WatchError, 16)
	phone.core.Watch(func(b []byte) {
		var e bridge.WatchError
		if json.Unmarshal(b, &e) == nil && e.Kind == "error" {
			events <- e
		}
	})

	var list []view.Device
	desk.call(&list, "devices")
	if len(list) != 2 || !list[0].Current || list[1].Current || list[1].Name != "bridge test" || list[1].ClientAddr == "" {
		t.Fatalf("devices = %+v", list)
	}
	var r bridge.Revoked
	desk.call(&r, "signOutOthers")
	if r.Sessions != 1 {
		t.Fatalf("signOutOthers = %+v", r)
	}
	select {
	case e := <-events:
		if e.Error != "unauthorized" || !strings.Contains(e.Text, "revoked") {
			t.Fatalf("the signed-out page's stream ended with %+v", e)
		}
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("the signed-out page's live stream stayed open")
	}
	phone.fails("unauthorized", "devices")
	desk.call(&list, "devices")
	if len(list) != 1 || !list[0].Current {
		t.Fatalf("after signing out the others: %+v", list)
	}
}
