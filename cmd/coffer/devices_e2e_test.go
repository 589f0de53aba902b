package main_test

import (
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client/view"
)

// TestCLIDevicesListAndRevoke (issue 27): two CLI profiles of one account
// are two devices, each named after its host; one lists both, signs the
// other out, and that one's next command exits 3 (log in again).
func TestCLIDevicesListAndRevoke(t *testing.T) {
	srv := startServer(t)
	desk := user(t, srv, "devices@example.com")
	laptop := newCLI(t)
	laptop.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "devices@example.com", "--password-stdin")
	laptop.unlock(masterPW)
	third := newCLI(t)
	third.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "devices@example.com", "--password-stdin")
	third.unlock(masterPW)

	host, _ := os.Hostname()
	want := view.CLIDevice(host, runtime.GOOS)
	var list []view.Device
	if err := json.Unmarshal([]byte(desk.ok("", "devices", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || !list[0].Current || list[1].Current || list[2].Current {
		t.Fatalf("devices = %+v", list)
	}
	for _, d := range list {
		if d.Name != want || d.ClientAddr == "" || d.LastUsedAt.IsZero() || d.CreatedAt.IsZero() {
			t.Fatalf("device %+v, want it named %q with an address and last use", d, want)
		}
	}
	if out := desk.ok("", "devices"); !strings.Contains(out, want+" (this device)") || strings.Count(out, want) != 3 {
		t.Fatalf("devices table:\n%s", out)
	}

	// The laptop's id, as the laptop itself lists it.
	var mine []view.Device
	if err := json.Unmarshal([]byte(laptop.ok("", "devices", "--json")), &mine); err != nil || !mine[0].Current {
		t.Fatalf("laptop's list %+v, %v", mine, err)
	}
	desk.fails(2, "", "devices", "revoke")
	desk.fails(2, "", "devices", "revoke", mine[0].ID, "--others")
	desk.fails(2, "", "devices", "revoke", list[0].ID) // this device: coffer logout
	if out := desk.ok("", "devices", "revoke", mine[0].ID); !strings.Contains(out, "Signed out device") {
		t.Fatalf("revoke: %q", out)
	}
	if msg := laptop.fails(3, "", "devices"); !strings.Contains(msg, "revoked") {
		t.Fatalf("the revoked device: %q", msg)
	}
	desk.fails(6, "", "devices", "revoke", mine[0].ID) // already signed out

	if out := desk.ok("", "devices", "revoke", "--others"); !strings.Contains(out, "Signed out 1 other device(s)") {
		t.Fatalf("revoke --others: %q", out)
	}
	third.fails(3, "", "devices")
	if out := desk.ok("", "devices", "--json"); strings.Count(out, `"id"`) != 1 {
		t.Fatalf("after signing out the others: %s", out)
	}
}

// TestWebAppDevices (issue 27): web/e2e/devices.mjs — two browsers and the
// CLI of one account; Account → Devices lists them, signs one browser out
// (its page locks at once) and then every other device; the CLI's next
// command exits 3.
func TestWebAppDevices(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "dana@devices.example")
	runScenario(t, "devices.mjs", srv.url, "COFFER_EMAIL=dana@devices.example", "COFFER_PASSWORD="+masterPW)
	if msg := c.fails(3, "", "devices"); !strings.Contains(msg, "revoked") {
		t.Fatalf("the CLI after Sign out all other devices: %q", msg)
	}
}
