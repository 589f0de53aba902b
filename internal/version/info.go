package version

import (
	"runtime"
	"runtime/debug"
)

// BuildInfo is what a build says of itself (coffer version --json): which
// source it was built from and how, so an operator can tell two binaries
// apart and a reproducible build (-trimpath, the same commit and Go) can
// be checked byte for byte.
type BuildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`      // the VCS revision, when built in a checkout
	Time     string `json:"commit_time,omitempty"` // the revision's commit time (RFC 3339)
	Modified bool   `json:"modified,omitempty"`    // built with uncommitted changes
	Go       string `json:"go"`
	Platform string `json:"platform"` // GOOS/GOARCH
	TrimPath bool   `json:"trimpath"` // built with -trimpath (no local paths in the binary)
	CGO      bool   `json:"cgo"`
}

// Info reads the build's information from the binary.
func Info() BuildInfo {
	b := BuildInfo{Version: Version, Commit: Commit, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "-trimpath":
			b.TrimPath = s.Value == "true"
		case "CGO_ENABLED":
			b.CGO = s.Value == "1"
		}
	}
	return b
}
