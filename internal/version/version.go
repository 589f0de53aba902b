// Package version holds the build's version, set with
// -ldflags "-X github.com/coffer-pm/coffer/internal/version.Version=…".
package version

// Version of this build.
var Version = "0.1.0-dev"

// Commit is the source revision, set by a release build's -ldflags
// (scripts/release.sh) where Go's own VCS stamping is off.
var Commit = ""
