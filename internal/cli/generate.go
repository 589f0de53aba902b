package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/passgen"
)

func (a *app) generateCommand() *cobra.Command {
	var o passgen.Options
	var words int
	var sep string
	cmd := &cobra.Command{
		Use:   "generate [--length N] [--words N]",
		Short: "Print a random password, or a passphrase with --words",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var pw string
			var err error
			if cmd.Flags().Changed("words") {
				if cmd.Flags().Changed("length") {
					return usageError("--words and --length do not go together")
				}
				pw, err = passgen.Passphrase(words, sep)
			} else {
				pw, err = passgen.Password(o)
			}
			if err != nil {
				return usageError("%v", err)
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"password": pw})
			}
			fmt.Fprintln(a.stdout, pw)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Length, "length", 20, "number of characters (8–256)")
	f.IntVar(&words, "words", 6, "a passphrase of this many words (3–20) instead")
	f.StringVar(&sep, "separator", "-", "between the words of a passphrase")
	f.BoolVar(&o.NoUpper, "no-upper", false, "no upper-case letters")
	f.BoolVar(&o.NoDigits, "no-digits", false, "no digits")
	f.BoolVar(&o.NoSymbols, "no-symbols", false, "no symbols")
	f.BoolVar(&o.AmbiguousToo, "ambiguous", false, "also use look-alike characters (l, I, O, 0, 1)")
	return cmd
}
