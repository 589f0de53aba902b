package main_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestCrossBuilds (issue 28): the server and the CLI build and vet for
// Windows and macOS too, with the platform code behind build tags; CI
// runs it on Linux, so a Unix-only call slipping into shared code is
// caught here rather than by someone on another system.
func TestCrossBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("cross builds are skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; cannot cross-build")
	}
	for _, target := range []struct{ goos, goarch string }{{"windows", "amd64"}, {"darwin", "arm64"}} {
		t.Run(target.goos+"_"+target.goarch, func(t *testing.T) {
			for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
				cmd := exec.Command(gobin, args...)
				cmd.Dir = "../.."
				cmd.Env = append(os.Environ(), "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("GOOS=%s GOARCH=%s go %v: %v\n%s", target.goos, target.goarch, args, err, out)
				}
			}
		})
	}
}
