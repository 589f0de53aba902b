package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coffer-pm/coffer/internal/passgen"
)

func (a *app) generateCommand() *cobra.Command {
	var o passgen.Options
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Print a random password",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, err := passgen.Password(o)
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
	f.BoolVar(&o.NoUpper, "no-upper", false, "no upper-case letters")
	f.BoolVar(&o.NoDigits, "no-digits", false, "no digits")
	f.BoolVar(&o.NoSymbols, "no-symbols", false, "no symbols")
	f.BoolVar(&o.AmbiguousToo, "ambiguous", false, "also use look-alike characters (l, I, O, 0, 1)")
	return cmd
}
