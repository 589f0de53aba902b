// Command coffer is Coffer's single binary: the server (coffer serve), the
// command-line client and the admin tool. This file only wires; the commands
// live in internal/cli.
package main

import (
	"os"

	"github.com/coffer-pm/coffer/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
